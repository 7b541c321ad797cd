import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where the table lives: in AWS from the function's environment, locally from the runtime. */
export interface StoreConfig {
  tableName: string;
  /** Set for DynamoDB Local; absent in AWS. */
  endpoint?: string;
  region?: string;
}

export interface Store {
  db: DynamoDBDocumentClient;
  tableName: string;
}

export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  return { tableName, endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION };
}

export function dynamoClientConfig(config: Pick<StoreConfig, 'endpoint' | 'region'>): DynamoDBClientConfig {
  if (!config.endpoint) return { region: config.region };
  // DynamoDB Local accepts any credentials; fixed ones keep a developer's real profile out of it.
  return {
    endpoint: config.endpoint,
    region: config.region ?? 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

export function createStore(config: StoreConfig): Store {
  const client = new DynamoDBClient(dynamoClientConfig(config));
  const db = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return { db, tableName: config.tableName };
}
