import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { TABLE, type IndexName } from './table.ts';
import { entityOf } from './items.ts';
import type { Store } from './client.ts';

export interface Page<T> {
  results: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/**
 * One page of a partition, in one Query. `index` names a GSI of TABLE (or the table itself),
 * `newestFirst` reads the sort key descending, which for ULID sort keys is newest first.
 */
export async function queryPage<T>(
  store: Store,
  request: PageRequest & {
    index?: IndexName;
    partition: string;
    sortKeyPrefix?: string;
    newestFirst?: boolean;
    filter?: Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;
  },
): Promise<Page<T>> {
  const pkName = request.index ? TABLE.indexes[request.index].partitionKey : TABLE.partitionKey;
  const skName = request.index ? TABLE.indexes[request.index].sortKey : TABLE.sortKey;
  const keyAttributes = request.index ? [TABLE.partitionKey, TABLE.sortKey, pkName, skName] : [pkName, skName];
  const startKey = decodeCursor(request.cursor, {
    attributes: keyAttributes,
    partition: { attribute: pkName, value: request.partition },
  });
  const prefixCondition = request.sortKeyPrefix ? ' AND begins_with(#sk, :prefix)' : '';
  const result = await store.db.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: request.index ? TABLE.indexes[request.index].name : undefined,
      KeyConditionExpression: `#pk = :pk${prefixCondition}`,
      ExpressionAttributeNames: {
        '#pk': pkName,
        ...(request.sortKeyPrefix ? { '#sk': skName } : {}),
        ...request.filter?.ExpressionAttributeNames,
      },
      ExpressionAttributeValues: {
        ':pk': request.partition,
        ...(request.sortKeyPrefix ? { ':prefix': request.sortKeyPrefix } : {}),
        ...request.filter?.ExpressionAttributeValues,
      },
      FilterExpression: request.filter?.FilterExpression,
      ScanIndexForward: !request.newestFirst,
      Limit: request.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return {
    results: (result.Items ?? []).map((item) => entityOf<T>(item)),
    nextCursor: encodeCursor(result.LastEvaluatedKey),
  };
}
