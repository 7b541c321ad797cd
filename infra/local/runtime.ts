import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { functions, routes, type FunctionName } from '../topology.ts';
import { createServices, settingsFromEnv, type Services, type Settings } from '../../shared/app/services.ts';
import { createStore, dynamoClientConfig } from '../../shared/store/client.ts';
import { systemClock, type Clock } from '../../shared/domain/clock.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LocalBlobStorage } from '../../shared/blobs/local.ts';
import { createGateway } from './gateway.ts';
import { createBlobServer } from './blob-server.ts';
import { startJobDriver } from './job-driver.ts';
import { ensureTable } from './table.ts';
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
  /** Where uploaded and exported files live (default: a fresh folder in the system's temp dir). */
  blobDir?: string;
  /** Run import and export jobs in this process (default true). */
  jobs?: boolean;
}

export interface Runtime {
  url: string;
  tableName: string;
  services: Services;
  handlers: Partial<Record<FunctionName, LocalHandler>>;
  stop(): Promise<void>;
}

export const DEFAULT_AUTHORIZER_CACHE_MS = 60_000;

/**
 * Creates one function the way Lambda would, from its folder: `functions/<name>/app.ts`
 * exports `create(services)`. The local runtime therefore runs the very handlers AWS runs.
 */
export async function loadFunction(name: FunctionName, services: Services): Promise<LocalHandler> {
  const module = (await import(`../../functions/${name}/app.ts`)) as { create(services: Services): LocalHandler };
  return module.create(services);
}

/** Table, services, every function of the topology, and the HTTP gateway in front of them. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const tableName = options.tableName ?? 'kith';
  const admin = new DynamoDBClient(dynamoClientConfig({ endpoint: options.dynamoEndpoint }));
  await ensureTable(admin, tableName);
  admin.destroy();

  const store = createStore({ tableName, endpoint: options.dynamoEndpoint });
  const blobs = new LocalBlobStorage({ root: options.blobDir ?? join(tmpdir(), `kith-blobs-${randomUUID()}`) });
  const blobServer = createBlobServer(blobs);
  blobs.baseUrl = `${await listen(blobServer, 0, options.host ?? '127.0.0.1')}/blobs`;
  const services = createServices({
    store,
    clock: options.clock ?? systemClock,
    settings: options.settings ?? settingsFromEnv(),
    blobs,
  });
  const handlers: Partial<Record<FunctionName, LocalHandler>> = {};
  for (const name of Object.keys(functions) as FunctionName[]) handlers[name] = await loadFunction(name, services);

  const gateway = createGateway({
    routes,
    defaultFunction: 'http-api',
    handlers: handlers as never,
    authorizer: handlers.authorizer as never,
    authorizerCacheMs: options.authorizerCacheMs ?? DEFAULT_AUTHORIZER_CACHE_MS,
  });
  const url = await listen(gateway, options.port ?? 0, options.host ?? '127.0.0.1');
  const driver = options.jobs === false ? undefined : startJobDriver(services, handlers);

  return {
    url,
    tableName,
    services,
    handlers,
    async stop() {
      await driver?.stop();
      await new Promise<void>((resolve) => {
        blobServer.close(() => resolve());
        blobServer.closeAllConnections();
      });
      await new Promise<void>((resolve) => {
        gateway.close(() => resolve());
        gateway.closeAllConnections();
      });
      store.db.destroy();
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
