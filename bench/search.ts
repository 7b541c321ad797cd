/**
 * Search benchmarks (never a test): write-to-searchable lag on OpenSearch, and query latency of
 * the OpenSearch and embedded interpreters at 100,000 contacts (`--full`; quick mode: 10,000).
 *
 *   node_modules/.bin/node bench/search.ts [--full]     (OpenSearch figures need OPENSEARCH_URL)
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServices } from '../shared/app/services.ts';
import type { Contact } from '../shared/domain/contact.ts';
import { LIFECYCLE_STAGES } from '../shared/domain/contact.ts';
import type { FieldDefinitionInput } from '../shared/domain/custom-fields.ts';
import { compileFilter, compileSort, type Filter } from '../shared/domain/filter.ts';
import { fieldSpecOf } from '../shared/domain/filter-fields.ts';
import { newId } from '../shared/domain/ids.ts';
import { analyzeQuery } from '../shared/domain/search-text.ts';
import { EmbeddedContactIndex } from '../shared/search/embedded.ts';
import { OpenSearchContactIndex } from '../shared/search/opensearch.ts';
import type { ContactSearchIndex, IndexSearch } from '../shared/search/port.ts';
import { createStore, dynamoClientConfig } from '../shared/store/client.ts';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { ensureTable } from '../infra/local/table.ts';
import { create as createIndexer } from '../functions/search-indexer/app.ts';
import { lambdaContext } from '../infra/local/lambda.ts';
import { figure, runStandalone, type Figure } from './lib/figures.ts';

/** OpenSearch's default `index.refresh_interval`: a write waits up to this long to be searchable. */
const REFRESH_INTERVAL_MS = 1000;

const DEFINITIONS: ReadonlyMap<string, FieldDefinitionInput> = new Map([
  ['tier', { key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver', 'bronze'], required: false }],
  ['seats', { key: 'seats', label: 'Seats', type: 'number', required: false }],
]);
const NOW = new Date('2026-06-01T00:00:00Z');
const context = { now: NOW, definitions: DEFINITIONS, defaultRegion: 'US' as const };

const FIRST = [
  'Ada',
  'Grace',
  'José',
  'Zoë',
  'Jean-Luc',
  'Иван',
  'Amara',
  'Liam',
  'Noor',
  'Mateo',
  'Yuki',
  'Olivia',
  'Sven',
  'Priya',
];
const LAST = [
  'Lovelace',
  'Hopper',
  "O'Brien",
  'Müller',
  'Martínez',
  'Петров',
  'Okafor',
  'Nguyen',
  'Smith',
  'García',
  'Kowalski',
  'Tanaka',
];
const TAGS = ['vip', 'newsletter', 'partner', 'churn-risk', 'event-2026', 'beta'];

/** A deterministic CRM-shaped base: names from a mixed pool, a few tags, stages, owners, custom fields. */
export function syntheticContacts(count: number): Contact[] {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const base = Date.parse('2024-01-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    const created = new Date(base + Math.floor(random() * 800) * 86_400_000).toISOString();
    return {
      id: newId(base + i),
      version: 1,
      createdAt: created,
      updatedAt: created,
      status: 'active',
      completeness: Math.round(random() * 100) / 100,
      firstName: first,
      lastName: `${last}${i % 50}`,
      emails: [{ address: `${first.toLowerCase().replace(/[^a-z]/g, '') || 'user'}.${i}@example${i % 100}.com`, primary: true }],
      phones: [{ number: `+1415${String(Math.floor(random() * 9_000_000) + 1_000_000)}`, primary: true }],
      tags: TAGS.filter(() => random() < 0.2),
      lifecycleStage: pick(LIFECYCLE_STAGES),
      ownerId: `owner-${Math.floor(random() * 20)}`,
      engagementScore: Math.floor(random() * 100),
      lastInteractionAt: new Date(base + Math.floor(random() * 880) * 86_400_000).toISOString(),
      customFields: { tier: pick(['gold', 'silver', 'bronze']), seats: Math.floor(random() * 500) },
    };
  });
}

export const QUERIES: { text?: string; filter?: Filter; sort?: { field: string; order: 'asc' | 'desc' }[]; facets?: string[] }[] =
  [
    { text: 'ada lov' },
    { text: 'jose' },
    { text: 'lovelase' },
    { text: '+1 415 100' },
    { text: 'example7.com' },
    { filter: { field: 'tags', op: 'contains', value: 'vip' }, sort: [{ field: 'updatedAt', order: 'desc' }] },
    {
      filter: {
        and: [
          { field: 'lifecycleStage', op: 'in', value: ['lead', 'customer'] },
          { field: 'lastInteractionAt', op: 'lt', value: 'now-90d' },
        ],
      },
    },
    {
      filter: {
        and: [
          { field: 'customFields.seats', op: 'between', value: [100, 200] },
          { not: { field: 'ownerId', op: 'eq', value: 'owner-3' } },
        ],
      },
      sort: [{ field: 'engagementScore', order: 'desc' }],
    },
    {
      text: 'grace',
      filter: { field: 'customFields.tier', op: 'eq', value: 'gold' },
      facets: ['tags', 'lifecycleStage', 'ownerId'],
    },
    { filter: { field: 'engagementScore', op: 'gte', value: 50 }, facets: ['tags', 'lifecycleStage'] },
  ];

export function request(q: (typeof QUERIES)[number]): IndexSearch {
  const text = q.text ? analyzeQuery(q.text) : undefined;
  return {
    filter: compileFilter(q.filter, context),
    sort: q.sort
      ? compileSort(q.sort, context)
      : text
        ? 'relevance'
        : compileSort([{ field: 'createdAt', order: 'desc' }], context),
    limit: 50,
    ...(text ? { text } : {}),
    ...(q.facets ? { facets: q.facets.map((f) => fieldSpecOf(f, DEFINITIONS)!) } : {}),
  };
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function load(index: ContactSearchIndex, contacts: readonly Contact[]): Promise<void> {
  for (let i = 0; i < contacts.length; i += 5000) {
    const batch = contacts.slice(i, i + 5000);
    const report = await index.apply(batch.map((contact) => ({ id: contact.id, version: contact.version, contact })));
    if (report.rejected.length > 0)
      throw new Error(`index rejected ${report.rejected.length} contacts: ${report.rejected[0]!.reason}`);
  }
  await index.refresh();
}

/** Query latency p50/p95 over the query mix, against the index's own floor (the cheapest call it can answer). */
async function queryLatency(
  engine: string,
  index: ContactSearchIndex,
  floorCall: () => Promise<unknown>,
  rounds: number,
): Promise<Figure[]> {
  const requests = QUERIES.map(request);
  for (const r of requests) await index.search(r); // warm up
  const samples: number[] = [];
  const floors: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const r of requests) samples.push(await time(() => index.search(r)));
    floors.push(await time(floorCall));
  }
  const floor = percentile(floors, 50);
  return [
    figure(`${engine} query latency p50`, percentile(samples, 50), 'ms', floor),
    figure(`${engine} query latency p95`, percentile(samples, 95), 'ms', floor),
  ];
}

/** From a contact write to the moment search returns it: table write, consumer, index, refresh. */
async function writeToSearchableLag(url: string, samples: number): Promise<Figure[]> {
  const dynamo = await startDynamoDbLocal();
  const tableName = `bench-${randomUUID()}`;
  const admin = new DynamoDBClient(dynamoClientConfig({ endpoint: dynamo.endpoint }));
  await ensureTable(admin, tableName);
  admin.destroy();
  const index = new OpenSearchContactIndex({ url, indexName: `bench-lag-${randomUUID()}`, definitions: async () => new Map() });
  const services = createServices({
    store: createStore({ tableName, endpoint: dynamo.endpoint }),
    settings: { defaultPhoneRegion: 'US' },
    searchIndex: () => index,
  });
  const indexer = createIndexer(services);
  try {
    await services.search.prepare();
    const lags: number[] = [];
    for (let i = 0; i < samples; i++) {
      const name = `lagprobe${i}x${randomUUID().slice(0, 8)}`;
      const started = performance.now();
      const contact = await services.contacts.create({ firstName: name }, 'bench');
      const at = new Date().toISOString();
      await indexer(
        {
          version: '0',
          id: randomUUID(),
          'detail-type': 'contact.created',
          source: 'kith',
          account: '0',
          time: at,
          region: 'local',
          resources: [],
          detail: {
            eventId: randomUUID(),
            entity: 'contact',
            id: contact.id,
            version: 1,
            changedFields: [],
            actor: 'bench',
            occurredAt: at,
          },
        },
        lambdaContext('search-indexer'),
      );
      const text = analyzeQuery(name);
      const probe = { filter: compileFilter(undefined, context), sort: 'relevance' as const, limit: 1, text };
      while ((await index.search(probe)).ids[0] !== contact.id) await new Promise((resolve) => setTimeout(resolve, 5));
      lags.push(performance.now() - started);
      // Writes land at random points of the refresh cycle, like real traffic (not in step with it).
      await new Promise((resolve) => setTimeout(resolve, Math.random() * REFRESH_INTERVAL_MS));
    }
    return [
      figure('OpenSearch write-to-searchable lag p50', percentile(lags, 50), 'ms', REFRESH_INTERVAL_MS),
      figure('OpenSearch write-to-searchable lag p95', percentile(lags, 95), 'ms', REFRESH_INTERVAL_MS),
    ];
  } finally {
    await index.destroy();
    await index.close();
    await dynamo.stop();
  }
}

export async function run(options: { full: boolean }): Promise<Figure[]> {
  const size = options.full ? 100_000 : 10_000;
  const rounds = options.full ? 20 : 5;
  const contacts = syntheticContacts(size);
  const figures: Figure[] = [];

  const embedded = new EmbeddedContactIndex();
  const embeddedLoad = await time(() => load(embedded, contacts));
  figures.push(figure(`embedded index build, ${size} contacts`, embeddedLoad, 'ms', null));
  // The floor of an in-memory interpreter: one pass over every contact doing nothing.
  const all = [...contacts];
  figures.push(
    ...(await queryLatency(
      `embedded (${size} contacts)`,
      embedded,
      async () => all.reduce((n, c) => n + (c.id ? 1 : 0), 0),
      rounds,
    )),
  );

  const url = process.env.OPENSEARCH_URL;
  if (!url) {
    console.warn('OPENSEARCH_URL is not set: OpenSearch figures skipped (scripts/opensearch.sh start).');
    return figures;
  }
  const opensearch = new OpenSearchContactIndex({
    url,
    indexName: `bench-${randomUUID()}`,
    definitions: async () => DEFINITIONS,
  });
  try {
    await opensearch.ensureReady();
    const osLoad = await time(() => load(opensearch, contacts));
    figures.push(figure(`OpenSearch bulk index, ${size} contacts`, osLoad, 'ms', null));
    // The floor of a search round trip: the cheapest search the node can answer.
    const floor = () =>
      opensearch.client.search({ index: opensearch.readAlias, body: { size: 0, query: { match_none: {} } } as never });
    figures.push(...(await queryLatency(`OpenSearch (${size} contacts)`, opensearch, floor, rounds)));
  } finally {
    await opensearch.destroy();
    await opensearch.close();
  }
  figures.push(...(await writeToSearchableLag(url, options.full ? 60 : 20)));
  return figures;
}

await runStandalone({ run }, import.meta.url);
