/**
 * GDPR erasure: how long erasing a person with N timeline entries takes (every participant, the
 * table, files and index included), beside the floor: deleting the same N items with the same
 * BatchWriteItem calls and parallelism, nothing else. Each side on its own fresh table.
 *
 *   node_modules/.bin/node bench/erasure.ts [--full]
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { ensureTable } from '../infra/local/table.ts';
import { createServices, type Services } from '../shared/app/services.ts';
import { createStore, dynamoClientConfig } from '../shared/store/client.ts';
import { idAt } from '../shared/domain/ids.ts';
import { ITEM_TYPES, keys, type Key } from '../shared/store/keys.ts';
import { deleteKeys } from '../shared/store/deletes.ts';
import { LocalBlobStorage } from '../shared/blobs/local.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure, runStandalone, type Figure } from './lib/figures.ts';
import { timed } from './lib/stats.ts';

async function freshServices(endpoint: string): Promise<Services> {
  const tableName = `bench-${randomUUID()}`;
  const admin = new DynamoDBClient(dynamoClientConfig({ endpoint }));
  await ensureTable(admin, tableName);
  admin.destroy();
  return createServices({
    store: createStore({ tableName, endpoint }),
    settings: { defaultPhoneRegion: 'US' },
    blobs: new LocalBlobStorage({ root: join(tmpdir(), `kith-bench-${randomUUID()}`) }),
  });
}

/** N timeline entries written straight to the table, 25 per request. */
async function addActivities(services: Services, contactId: string, count: number): Promise<Key[]> {
  const start = Date.parse('2020-01-01T00:00:00Z');
  const items = Array.from({ length: count }, (_, i) => {
    const id = idAt(start + i * 60_000);
    return {
      ...keys.activity(contactId, id),
      entityType: ITEM_TYPES.activity,
      id,
      contactId,
      kind: 'note',
      body: `note ${i}`,
      participants: [],
      occurredAt: new Date(start + i * 60_000).toISOString(),
      version: 1,
    };
  });
  for (let i = 0; i < items.length; i += 25) {
    await services.store.db.send(
      new BatchWriteCommand({
        RequestItems: { [services.store.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
  return items.map(({ pk, sk }) => ({ pk, sk }));
}

export async function run({ full }: { full: boolean }): Promise<Figure[]> {
  const entries = full ? 10_000 : 2_000;
  const dynamo = await startDynamoDbLocal();
  try {
    const erasing = await freshServices(dynamo.endpoint);
    const person = await erasing.contacts.create({ firstName: 'Bench', emails: [{ address: 'bench@erasure.test' }] }, 'bench');
    await addActivities(erasing, person.id, entries);
    const { ms: erasure } = await timed(() => erasing.erasures.erase(person.id, 'bench'));

    const raw = await freshServices(dynamo.endpoint);
    const items = await addActivities(raw, 'FLOOR', entries);
    const { ms: floor } = await timed(() => deleteKeys(raw.store, items));

    return [
      figure(
        `erase a person with ${entries} timeline entries`,
        erasure,
        'ms',
        floor,
        'floor: BatchWriteItem deletes of the same items',
      ),
      figure('erasure throughput', (entries / erasure) * 1000, 'items/s'),
    ];
  } finally {
    await dynamo.stop();
  }
}

await runStandalone({ run }, import.meta.url);
