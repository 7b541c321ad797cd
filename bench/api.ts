/**
 * API latency and capacity per operation, through the local gateway, against the raw SDK calls
 * of the same DynamoDB operations made from the same process in the same run.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../shared/store/table.ts';
import { keys } from '../shared/store/keys.ts';
import { newId } from '../shared/domain/ids.ts';
import { routes } from '../infra/topology.ts';
import { figure, runStandalone, type Figure } from './lib/figures.ts';
import { percentile, timed } from './lib/stats.ts';
import { startLocalKith } from './lib/local-kith.ts';
import { traceDynamo } from './lib/dynamo-trace.ts';
import { billedUnits } from './lib/capacity.ts';

const shape = { gsiPartitionKeys: Object.values(TABLE.indexes).map((index) => index.partitionKey) };

function contactBody(i: number) {
  return {
    firstName: `Ada${i}`,
    lastName: 'Lovelace',
    emails: [{ address: `ada.${i}.${randomUUID().slice(0, 8)}@example.com` }],
    phones: [{ number: '+44 20 7123 4567' }],
    jobTitle: 'Analyst',
    tags: ['bench'],
  };
}

interface Operation {
  name: string;
  api: (i: number) => Promise<unknown>;
  raw: (i: number) => Promise<unknown>;
  /** What the data model needs at least, in billed units, with a one-line reason. */
  minimum: { rcu: number; wcu: number; why: string };
}

export async function run({ full }: { full: boolean }): Promise<Figure[]> {
  const samples = full ? 1000 : 100;
  const kith = await startLocalKith();
  const { db, tableName } = kith.runtime.services.store;
  const trace = traceDynamo(db);
  const figures: Figure[] = [];
  try {
    const ids: string[] = [];
    for (let i = 0; i < samples; i++) ids.push((await kith.call('POST', '/v1/contacts', contactBody(i))).body.id);
    const sample = (await kith.runtime.services.contacts.get(ids[0]!)) as unknown as Record<string, unknown>;
    const rawIds: string[] = [];

    const operations: Operation[] = [
      {
        name: 'create',
        api: (i) => kith.call('POST', '/v1/contacts', contactBody(i)),
        raw: async (i) => {
          const id = newId();
          rawIds.push(id);
          const email = `raw.${i}.${randomUUID().slice(0, 8)}@example.com`;
          await db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...sample, id, ...keys.contact(id), ...keys.contactList('active', id), entityType: 'contact' },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...keys.emailClaim(email), entityType: 'email_claim', ownerId: id },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          );
        },
        minimum: {
          rcu: 0,
          wcu: 2 * 1 + 2 * 1 + 1,
          why: 'profile + email claim in one transaction (2× each) + its list-index entry',
        },
      },
      {
        name: 'read',
        api: (i) => kith.call('GET', `/v1/contacts/${ids[i % ids.length]}`),
        raw: (i) =>
          db.send(new GetCommand({ TableName: tableName, Key: keys.contact(ids[i % ids.length]!), ConsistentRead: true })),
        minimum: { rcu: 1, wcu: 0, why: 'one strongly consistent GetItem (read-your-writes)' },
      },
      {
        name: 'patch',
        api: (i) => kith.call('PATCH', `/v1/contacts/${ids[i % ids.length]}`, { jobTitle: `Title ${i}` }),
        raw: async (i) => {
          const id = rawIds[i % rawIds.length]!;
          const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: keys.contact(id), ConsistentRead: true }));
          await db.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...Item, jobTitle: `Title ${i}`, version: (Item!.version as number) + 1 },
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': Item!.version },
            }),
          );
        },
        minimum: { rcu: 1, wcu: 2, why: 'read for the merge patch + conditional put of the item and its list-index entry' },
      },
      {
        name: 'list',
        api: () => kith.call('GET', '/v1/contacts?limit=25'),
        raw: () =>
          db.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: TABLE.indexes.gsi1.name,
              KeyConditionExpression: 'gsi1pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.contactListPartition('active') },
              ScanIndexForward: false,
              Limit: 25,
            }),
          ),
        minimum: { rcu: 2.5, wcu: 0, why: 'one eventually consistent Query of 25 items (~20 KB)' },
      },
    ];
    if (routes.some((r) => r.operationId === 'searchContacts')) {
      operations.push({
        name: 'search',
        api: (i) => kith.call('POST', '/v1/contacts/search', { query: `ada${i % samples}`, limit: 10 }),
        raw: (i) => db.send(new GetCommand({ TableName: tableName, Key: keys.contact(ids[i % ids.length]!) })),
        minimum: { rcu: 0, wcu: 0, why: 'served by the search index, not the table' },
      });
    }

    for (const op of operations) {
      for (let i = 0; i < 20; i++) {
        await op.api(i);
        await op.raw(i);
      }
      const api: number[] = [];
      const raw: number[] = [];
      // Interleaved so both see the same machine noise.
      for (let i = 0; i < samples; i++) {
        api.push((await timed(() => op.api(i))).ms);
        raw.push((await timed(() => op.raw(i))).ms);
      }
      for (const p of [50, 95, 99]) {
        figures.push(
          figure(
            `api ${op.name} p${p}`,
            percentile(api, p),
            'ms',
            percentile(raw, p),
            p === 50 ? 'budget ≤ 1.3× raw' : undefined,
          ),
        );
      }
      // Consumers run in this process too: let them finish, so the trace holds the API's own calls.
      await kith.runtime.pipeline.drain();
      const { calls } = await trace.record(() => op.api(samples + 1));
      const billed = calls.map((c) => billedUnits(c.command, c.input, { items: c.items, item: c.item }, shape));
      const rcu = billed.reduce((s, u) => s + u.rcu, 0);
      const wcu = billed.reduce((s, u) => s + u.wcu, 0);
      const reported = calls.reduce((s, c) => ({ rcu: s.rcu + c.reported.rcu, wcu: s.wcu + c.reported.wcu }), { rcu: 0, wcu: 0 });
      const commands = calls.map((c) => c.command).join('+') || 'none';
      figures.push(figure(`round trips ${op.name}`, calls.length, 'calls', null, commands));
      if (op.minimum.rcu > 0 || rcu > 0) {
        figures.push(
          figure(
            `RCU ${op.name}`,
            rcu,
            'RCU',
            op.minimum.rcu || null,
            `DynamoDB Local reported ${reported.rcu}; minimum: ${op.minimum.why}`,
          ),
        );
      }
      if (op.minimum.wcu > 0 || wcu > 0) {
        figures.push(
          figure(
            `WCU ${op.name}`,
            wcu,
            'WCU',
            op.minimum.wcu || null,
            `DynamoDB Local reported ${reported.wcu}; minimum: ${op.minimum.why}`,
          ),
        );
      }
    }
  } finally {
    await kith.stop();
  }
  return figures;
}

await runStandalone({ run }, import.meta.url);
