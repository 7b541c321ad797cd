import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one DynamoDB table, declared once. `infra/aws` turns it into a CDK TableV2 and
 * `infra/local` into a CreateTable call against DynamoDB Local; neither spells a key itself.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Overloaded secondary indexes; what each holds is documented beside its key builders. */
  indexes: {
    /** Lists newest-first, inverse lookups (company → members), API keys by id. */
    gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Sparse, time-ordered: pending reminders and webhook retries by minute and shard, open duplicate suggestions. */
    gsi2: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** An assignee's tasks (a third list of the same items, which GSI1 and GSI2 already serve). */
    gsi3: { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  },
  stream: 'NEW_AND_OLD_IMAGES',
  ttlAttribute: 'expiresAt',
  /** Every item names its kind here, so stream consumers and filters never guess from keys. */
  typeAttribute: 'entityType',
} as const;

export type IndexName = keyof typeof TABLE.indexes;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(TABLE.indexes);
  const attributes = [TABLE.partitionKey, TABLE.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.stream },
  };
}
