import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStore, dynamoClientConfig, type Store } from '../../shared/store/client.ts';
import { ensureTable } from '../../infra/local/table.ts';
import { createServices, type Services } from '../../shared/app/services.ts';
import type { Clock } from '../../shared/domain/clock.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStorage } from '../../shared/blobs/local.ts';

export function dynamoEndpoint(): string {
  return inject('dynamoEndpoint');
}

/**
 * A table of its own for a test file, on the run's DynamoDB Local. No test on these tables reads
 * the change stream (the runtime's own table has one), and stream records that pile up in the
 * shared DynamoDB Local slow every later write of the run: so none is kept here.
 */
export async function freshStore(options: { stream?: boolean } = {}): Promise<Store> {
  const tableName = `test-${randomUUID()}`;
  const admin = new DynamoDBClient(dynamoClientConfig({ endpoint: dynamoEndpoint() }));
  await ensureTable(admin, tableName, { stream: options.stream ?? false });
  admin.destroy();
  return createStore({ tableName, endpoint: dynamoEndpoint() });
}

/** Files of a test in a folder of their own; links point nowhere (no blob server runs). */
export function freshBlobs(): LocalBlobStorage {
  return new LocalBlobStorage({ root: join(tmpdir(), `kith-test-blobs-${randomUUID()}`), baseUrl: 'http://blobs.invalid' });
}

export async function freshServices(clock?: Clock, settings: Partial<Services['settings']> = {}): Promise<Services> {
  return createServices({
    store: await freshStore(),
    clock,
    settings: { defaultPhoneRegion: 'US', ...settings },
    blobs: freshBlobs(),
  });
}
