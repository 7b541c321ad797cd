import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { functions, gateway as gatewayFunctions, routes, type FunctionName } from '../topology.ts';
import { createServices, searchIndexFromEnv, settingsFromEnv, type Services, type Settings } from '../../shared/app/services.ts';
import { createStore, dynamoClientConfig } from '../../shared/store/client.ts';
import { systemClock, type Clock } from '../../shared/domain/clock.ts';
import { LIMITS } from '../../shared/domain/limits.ts';
import { MemoryDeadLetterStore, type DeadLetterStore } from '../../shared/events/dead-letters.ts';
import { LocalBlobStorage } from '../../shared/blobs/local.ts';
import { ephemeralSecret, fileSecret } from '../../shared/secrets/salt.ts';
import { createGateway } from './gateway.ts';
import { createBlobServer } from './blob-server.ts';
import { ensureTable } from './table.ts';
import { FileDeadLetterStore } from './dead-letter-files.ts';
import { LocalPipeline } from './pipeline.ts';
import type { LocalScheduler } from './scheduler.ts';
import type { RetryPolicy } from './delivery.ts';
import type { LocalHandler } from './lambda.ts';

export interface RuntimeOptions {
  /** DynamoDB Local (or any DynamoDB) endpoint. */
  dynamoEndpoint: string;
  tableName?: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  clock?: Clock;
  settings?: Settings;
  /** Like API Gateway's authorizer cache; 0 makes revocations take effect at once. */
  authorizerCacheMs?: number;
  /** The search index; by default OpenSearch when OPENSEARCH_URL is set, the embedded index otherwise. */
  searchIndex?: Parameters<typeof createServices>[0]['searchIndex'];
  /** `KITH_HOME`: dead letters are kept as files under `<home>/dlq`. Without it, in memory. */
  home?: string;
  /** Where dead letters go, overriding `home` (tests pass their own). */
  deadLetterStore?: DeadLetterStore;
  /** Attempts and backoff of local deliveries; attempts default to the topology's eventDelivery. */
  retry?: Partial<RetryPolicy>;
  /** Run schedules on a timer. Default: only with the system clock; tests call `scheduler.tick()`. */
  realTimeSchedules?: boolean;
  /** One line per HTTP request (npm start prints them). */
  onRequest?: (line: string) => void;
  /** Where imported and exported files live: `<home>/blobs`, else this, else a fresh temp folder. */
  blobDir?: string;
}

export interface Runtime {
  url: string;
  tableName: string;
  services: Services;
  /** Which index serves search, and how many contacts a start-up rebuild put in it. */
  search: { engine: 'opensearch' | 'embedded'; rebuilt?: number };
  handlers: Partial<Record<FunctionName, LocalHandler>>;
  /** Change stream → bus → consumers: `drain()` waits until everything written so far was delivered. */
  pipeline: LocalPipeline;
  /** The topology's schedules: `tick(now?)` runs what is due. */
  scheduler: LocalScheduler;
  stop(): Promise<void>;
}

export const DEFAULT_AUTHORIZER_CACHE_MS = LIMITS.authorizerResultCacheSeconds * 1000;

/**
 * Creates one function the way Lambda would, from its folder: `functions/<name>/app.ts`
 * exports `create(services)`. The local runtime therefore runs the very handlers AWS runs.
 */
export async function loadFunction(name: FunctionName, services: Services): Promise<LocalHandler> {
  const module = (await import(`../../functions/${name}/app.ts`)) as { create(services: Services): LocalHandler };
  return module.create(services);
}

/**
 * Table, services, every function of the topology, the change-stream pipeline and scheduler
 * that feed them, and the HTTP gateway in front of them.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const tableName = options.tableName ?? 'kith';
  const clock = options.clock ?? systemClock;
  const admin = new DynamoDBClient(dynamoClientConfig({ endpoint: options.dynamoEndpoint }));
  await ensureTable(admin, tableName);
  admin.destroy();

  const store = createStore({ tableName, endpoint: options.dynamoEndpoint });
  const handlers: Partial<Record<FunctionName, LocalHandler>> = {};
  const pipeline = new LocalPipeline({
    dynamoEndpoint: options.dynamoEndpoint,
    tableName,
    handlers,
    deadLetterStore:
      options.deadLetterStore ??
      (options.home ? new FileDeadLetterStore(join(options.home, 'dlq')) : new MemoryDeadLetterStore()),
    clock,
    realTimeSchedules: options.realTimeSchedules ?? clock === systemClock,
    retry: options.retry,
    afterDrain: () => services.search.index.refresh(),
  });
  // S3's stand-in: files under a folder, behind links this small server honours.
  const blobs = new LocalBlobStorage({
    root: options.blobDir ?? (options.home ? join(options.home, 'blobs') : join(tmpdir(), `kith-blobs-${randomUUID()}`)),
  });
  const blobServer = createBlobServer(blobs);
  blobs.baseUrl = `${await listen(blobServer, 0, options.host ?? '127.0.0.1')}/blobs`;
  const services = createServices({
    store,
    clock,
    settings: options.settings ?? settingsFromEnv(),
    deadLetters: pipeline.deadLetters,
    blobs,
    searchIndex: options.searchIndex ?? searchIndexFromEnv(),
    // The suppression list's salt: kept under KITH_HOME (it must never change), per run in memory.
    suppressionSalt: options.home ? fileSecret(join(options.home, 'suppression-salt')) : ephemeralSecret(),
  });
  // The embedded index lives in memory: it is filled from the table at every start. OpenSearch
  // keeps its data, so it is only filled when its index is new.
  const search = await services.search.prepare();
  for (const name of Object.keys(functions) as FunctionName[]) handlers[name] = await loadFunction(name, services);
  await pipeline.start();

  const gateway = createGateway({
    routes,
    defaultFunction: gatewayFunctions.fallback,
    handlers: handlers as never,
    authorizer: handlers[gatewayFunctions.authorizer] as never,
    authorizerCacheMs: options.authorizerCacheMs ?? DEFAULT_AUTHORIZER_CACHE_MS,
    onRequest: options.onRequest,
  });
  const url = await listen(gateway, options.port ?? 0, options.host ?? '127.0.0.1');

  return {
    url,
    tableName,
    services,
    search: { engine: services.search.index.engine, ...(search.rebuilt ? { rebuilt: search.rebuilt.written } : {}) },
    handlers,
    pipeline,
    scheduler: pipeline.scheduler,
    async stop() {
      await new Promise<void>((resolve) => {
        gateway.close(() => resolve());
        gateway.closeAllConnections();
      });
      await pipeline.stop();
      await new Promise<void>((resolve) => {
        blobServer.close(() => resolve());
        blobServer.closeAllConnections();
      });
      store.db.destroy();
      await services.search.index.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`);
    });
  });
}
