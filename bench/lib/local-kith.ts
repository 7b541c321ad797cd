import { randomUUID } from 'node:crypto';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';
import { generateApiKeySecret } from '../../shared/domain/api-keys.ts';

export interface LocalKith {
  dynamo: DynamoDbLocal;
  runtime: Runtime;
  key: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** DynamoDB Local in memory and the whole local runtime, as `npm start -- --memory` runs it. */
export async function startLocalKith(): Promise<LocalKith> {
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  const dynamo = await startDynamoDbLocal();
  const runtime = await startRuntime({ dynamoEndpoint: dynamo.endpoint, tableName: `bench-${randomUUID()}`, port: 0 });
  const key = generateApiKeySecret();
  await runtime.services.apiKeys.register(key, { name: 'bench', role: 'admin' }, 'bench');
  return {
    dynamo,
    runtime,
    key,
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${runtime.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
    async stop() {
      await runtime.stop();
      await dynamo.stop();
    },
  };
}
