import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE } from '../../shared/store/table.ts';
import type { StageSettings } from './stage.ts';

/** The one table, from the same definition DynamoDB Local is created from. */
export function createKithTable(scope: Construct, stage: StageSettings): Table {
  const string = (name: string) => ({ name, type: AttributeType.STRING });
  const table = new Table(scope, 'Table', {
    partitionKey: string(TABLE.partitionKey),
    sortKey: string(TABLE.sortKey),
    billingMode: BillingMode.PAY_PER_REQUEST,
    stream: StreamViewType[TABLE.stream],
    timeToLiveAttribute: TABLE.ttlAttribute,
    pointInTimeRecoverySpecification: {
      pointInTimeRecoveryEnabled: true,
      recoveryPeriodInDays: stage.pointInTimeRecoveryDays,
    },
    deletionProtection: stage.deletionProtection,
    removalPolicy: stage.removalPolicy,
  });
  for (const index of Object.values(TABLE.indexes)) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: string(index.partitionKey),
      sortKey: string(index.sortKey),
    });
  }
  return table;
}
