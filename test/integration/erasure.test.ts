import { describe, expect, it } from 'vitest';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createServices, type Services } from '../../shared/app/services.ts';
import { idAt } from '../../shared/domain/ids.ts';
import { keys, ITEM_TYPES } from '../../shared/store/keys.ts';
import type { Store } from '../../shared/store/client.ts';
import { MemoryDeadLetterStore, StoredDeadLetterQueue } from '../../shared/events/dead-letters.ts';
import { freshBlobs, freshStore } from '../helpers/store.ts';
import { kithEvent } from '../helpers/events.ts';
import { tableTraces } from '../helpers/traces.ts';
import { runExport } from '../../shared/app/exports.ts';

async function text(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function servicesOn(store: Store): Promise<Services> {
  return createServices({
    store,
    settings: { defaultPhoneRegion: 'US' },
    blobs: freshBlobs(),
    deadLetters: new StoredDeadLetterQueue(new MemoryDeadLetterStore(), async () => {}),
  });
}

/** A store whose BatchWriteItem calls fail once the `after`-th one has been made: a crash mid-erasure. */
function crashingAfter(store: Store, after: number): Store {
  let batches = 0;
  const send = store.db.send.bind(store.db);
  const db = Object.create(store.db) as Store['db'];
  db.send = (async (command: unknown, ...rest: unknown[]) => {
    if (command instanceof BatchWriteCommand && ++batches > after) throw new Error('the process died');
    return (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
  }) as Store['db']['send'];
  return { ...store, db };
}

async function countInPartition(services: Services, contactId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await services.store.db.send(
      new QueryCommand({
        TableName: services.store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.contactPartition(contactId) },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Timeline entries written straight to the table, 25 per request: a long-standing customer's history. */
async function addActivities(services: Services, contactId: string, count: number): Promise<void> {
  const start = Date.parse('2020-01-01T00:00:00Z');
  const items = Array.from({ length: count }, (_, i) => {
    const id = idAt(start + i * 60_000);
    return {
      ...keys.activity(contactId, id),
      entityType: ITEM_TYPES.activity,
      id,
      contactId,
      kind: 'note',
      body: `note ${i} about Wilhelmina Crankshaw`,
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
}

describe('erasure', () => {
  it('finishes on retry after crashing halfway through 10,000 timeline entries', async () => {
    const store = await freshStore();
    const services = await servicesOn(store);
    const person = await services.contacts.create(
      { firstName: 'Wilhelmina', lastName: 'Crankshaw', emails: [{ address: 'wil@crank.test' }] },
      'test',
    );
    await addActivities(services, person.id, 10_000);

    const crashing = createServices({
      store: crashingAfter(store, 150),
      settings: { defaultPhoneRegion: 'US' },
      blobs: freshBlobs(),
    });
    await expect(crashing.erasures.erase(person.id, 'key:admin')).rejects.toThrow('the process died');
    const interrupted = await services.erasures.get(person.id);
    expect(interrupted).toMatchObject({ status: 'running', completed: ['suppressions', 'records'] });
    const left = await countInPartition(services, person.id);
    expect(left).toBeGreaterThan(1);
    expect(left).toBeLessThan(10_001);
    expect((await services.contacts.repository.get(person.id)) ?? 'gone').toBe('gone');

    const finished = await services.erasures.erase(person.id, 'key:admin');
    expect(finished.status).toBe('done');
    expect(await countInPartition(services, person.id)).toBe(1); // the erased tombstone
    expect(finished.erased.partition).toBeGreaterThan(0);
    expect(await tableTraces(services.store, ['Wilhelmina', 'Crankshaw', 'wil@crank.test'])).toEqual([]);
    // Writing and erasing 10,000 items on DynamoDB Local takes a while on a busy machine; nothing here is timed.
  }, 180_000);

  it('refuses what late events would write about an erased person: history, suggestions, webhook payloads', async () => {
    const services = await servicesOn(await freshStore());
    const person = await services.contacts.create(
      { firstName: 'Late', lastName: 'Lettice', phones: [{ number: '+1 212 555 0111' }] },
      'test',
    );
    const twin = await services.contacts.create(
      { firstName: 'Late', lastName: 'Lettice', phones: [{ number: '+1 212 555 0111' }] },
      'test',
    );
    await services.duplicates.syncContact(person.id);
    const webhook = await services.webhooks.create({ url: 'https://hooks.example.com/kith', events: ['*'] }, 'test');
    await services.erasures.erase(person.id, 'key:admin');

    const late = kithEvent('contact.updated', { entity: 'contact', id: person.id, version: 1, changedFields: ['lastName'] });
    late.detail.data = { changes: { lastName: { from: 'Lettice', to: 'Lettuce' } } };
    expect(await services.history.record(late)).toBe('erased');
    expect(await services.duplicates.syncContact(twin.id)).toMatchObject({ written: 0 });
    expect(await services.webhookDispatcher.dispatch(late)).toMatchObject({ matched: 1, delivered: 0 });
    expect((await services.webhooks.deliveriesOf(webhook.id, { limit: 10 })).results).toEqual([]);
    expect(await tableTraces(services.store, ['Lettuce'])).toEqual([]);
    expect(await services.duplicates.partnersOf(twin.id)).toEqual([]);
  });

  it('keeps a person erased while an export runs out of the file it was writing', async () => {
    const services = await servicesOn(await freshStore());
    const person = await services.contacts.create({ firstName: 'Ephemera', lastName: 'Midstream' }, 'test');
    await services.contacts.create({ firstName: 'Steady', lastName: 'Bystander' }, 'test');
    const job = await services.exports.create({ format: 'json', contactStatus: 'active' }, 'test');
    const list = services.contacts.list.bind(services.contacts);
    services.contacts.list = async (status, page) => {
      const found = await list(status, page);
      // The person is read into the file, then erased before the file is finished.
      await services.erasures.erase(person.id, 'key:admin');
      return found;
    };
    expect(await runExport(services, job.id, 'worker-1')).toBe('finished');
    const done = await services.exports.get(job.id);
    expect(done).toMatchObject({ status: 'completed', exported: 1 });
    const file = await text(await services.blobs.read(done.fileKey));
    expect(file).toContain('Bystander');
    expect(file).not.toContain('Midstream');
  });

  it('answers 404 for an id that never existed, and erasing twice is one erasure', async () => {
    const services = await servicesOn(await freshStore());
    await expect(services.erasures.erase('01J00000000000000000000000', 'key:admin')).rejects.toThrow('No contact');
    const person = await services.contacts.create({ firstName: 'Twice' }, 'test');
    const first = await services.erasures.erase(person.id, 'key:admin');
    const second = await services.erasures.erase(person.id, 'key:admin');
    expect(second).toMatchObject({ status: 'done', startedAt: first.startedAt, finishedAt: first.finishedAt });
  });
});
