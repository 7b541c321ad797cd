import { randomUUID } from 'node:crypto';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../infra/local/runtime.ts';
import { generateApiKeySecret } from '../../shared/domain/api-keys.ts';
import type { Role } from '../../shared/domain/permissions.ts';
import { dynamoEndpoint } from './store.ts';
import { searchIndexFromEnv } from '../../shared/app/services.ts';
import { OpenSearchContactIndex } from '../../shared/search/opensearch.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApi {
  runtime: Runtime;
  url: string;
  adminKey: string;
  /** A fresh key of the given role. */
  keyFor(role: Role): Promise<string>;
  request<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string | Buffer; key?: string | null; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

/** The whole local runtime on its own table, with an admin key, as a user would run it. */
export async function startTestApi(options: Partial<RuntimeOptions> = {}): Promise<TestApi> {
  const runtime = await startRuntime({
    dynamoEndpoint: dynamoEndpoint(),
    tableName: `e2e-${randomUUID()}`,
    port: 0,
    authorizerCacheMs: 0,
    settings: { defaultPhoneRegion: 'US' },
    // With OPENSEARCH_URL set (CI), each API gets an index of its own on that node.
    searchIndex: searchIndexFromEnv({ ...process.env, OPENSEARCH_INDEX: `e2e-${randomUUID()}` }),
    // Schedules run when a test calls runtime.scheduler.tick(), never because of the hour.
    realTimeSchedules: false,
    ...options,
  });
  const adminKey = generateApiKeySecret();
  await runtime.services.apiKeys.register(adminKey, { name: 'test admin', role: 'admin' }, 'test');

  const api: TestApi = {
    runtime,
    url: runtime.url,
    adminKey,
    async keyFor(role) {
      const key = generateApiKeySecret();
      await runtime.services.apiKeys.register(key, { name: `test ${role}`, role }, 'test');
      return key;
    },
    async request(method, path, { body, rawBody, key, headers = {} } = {}) {
      const auth = key === null ? {} : { authorization: `Bearer ${key ?? adminKey}` };
      const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      const response = await fetch(`${runtime.url}${path}`, {
        method,
        headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...auth, ...headers },
        body: payload,
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON (the docs page)
      }
      return { status: response.status, headers: response.headers, body: parsed as any };
    },
    async stop() {
      const index = runtime.services.search.index;
      if (index instanceof OpenSearchContactIndex) await index.destroy();
      await runtime.stop();
    },
  };
  return api;
}
