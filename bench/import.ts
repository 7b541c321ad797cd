/**
 * Import throughput on this machine: a messy CSV through the import worker (parse, validate,
 * look up, write, checkpoint), against the physical floor measured in the same run: the very
 * items the import wrote, loaded into a fresh table with raw BatchWriteItem (no conditions, no
 * transactions, no parsing). Also the same file again (must create nothing) and the whole path
 * a user sees: HTTP → upload → pipeline → worker, with the change-stream consumers running.
 *
 *   node_modules/.bin/node bench/import.ts          quick (10,000 rows)
 *   node_modules/.bin/node bench/import.ts --full   100,000 rows
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { startRuntime } from '../infra/local/runtime.ts';
import { ensureTable } from '../infra/local/table.ts';
import { createStore, dynamoClientConfig, type Store } from '../shared/store/client.ts';
import { generateApiKeySecret } from '../shared/domain/api-keys.ts';
import { LIMITS } from '../shared/domain/limits.ts';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, settingsFromEnv, type Services } from '../shared/app/services.ts';
import { ImportRunner } from '../shared/app/import-runner.ts';
import { LocalBlobStorage } from '../shared/blobs/local.ts';
import { messyCsv } from './messy-csv.ts';
import { runStandalone } from './lib/figures.ts';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  floor: number | null;
  ratio: number | null;
}

const RAW_CONCURRENCY = 4;

export async function run(options: { full: boolean; rows?: number }): Promise<Figure[]> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const rows = options.rows ?? (options.full ? 100_000 : 5_000);
  const endToEndRows = Math.max(1000, Math.round(rows / 10));
  const say = (message: string) => process.stderr.write(`[bench/import] ${message}\n`);
  const file = messyCsv(rows);

  // DynamoDB Local slows down as an instance accumulates items and stream records, so each
  // measurement gets a fresh instance: the import and its floor start from the same state.
  const { first, second, items } = await withDynamo(async (endpoint) => {
    say(`importing ${rows} rows (${(file.text.length / 1e6).toFixed(1)} MB) with the worker alone`);
    const services = await benchServices(endpoint, 'bench-import');
    const first = await importWithWorker(services, file.text);
    say(`import: ${first.seconds.toFixed(1)} s, ${JSON.stringify(first.report)}`);
    const second = await importWithWorker(services, file.text);
    say(`same file again: ${second.seconds.toFixed(1)} s, created ${second.report.created}`);
    return { first, second, items: await scanContactItems(services.store) };
  });
  const raw = await withDynamo((endpoint) => rawLoad(endpoint, items));
  say(`raw load of the same ${items.length} items: ${raw.seconds.toFixed(1)} s`);

  // What a user of `kith import` sees locally: HTTP, upload, the pipeline triggering the worker,
  // and the change-stream consumers (history, dedup) busy with every new contact.
  const small = messyCsv(endToEndRows, 7);
  const endToEnd = await withDynamo(async (endpoint) => {
    const runtime = await startRuntime({ dynamoEndpoint: endpoint, tableName: 'bench-e2e', authorizerCacheMs: 60_000 });
    try {
      const key = generateApiKeySecret();
      await runtime.services.apiKeys.register(key, { name: 'bench', role: 'admin' }, 'bench');
      return await importThroughApi(runtime.url, key, small.text);
    } finally {
      await runtime.stop();
    }
  });
  say(`end to end (${endToEndRows} rows): ${endToEnd.seconds.toFixed(1)} s`);

  const importRate = first.report.processed / first.seconds;
  // The floor per file row: writing exactly the items this file produced, and nothing else.
  const rawRate = first.report.processed / raw.seconds;
  return [
    {
      name: `import.csv.${rows}.rowsPerSecond`,
      value: round(importRate),
      unit: 'rows/s',
      floor: round(rawRate),
      ratio: round(importRate / rawRate, 3),
    },
    {
      name: `import.csv.${rows}.sameFileAgainRowsPerSecond`,
      value: round(second.report.processed / second.seconds),
      unit: 'rows/s',
      floor: null,
      ratio: null,
    },
    { name: `import.csv.${rows}.sameFileAgainCreated`, value: second.report.created, unit: 'contacts', floor: null, ratio: null },
    {
      name: `import.csv.${endToEndRows}.endToEndRowsPerSecond`,
      value: round(endToEnd.report.processed / endToEnd.seconds),
      unit: 'rows/s',
      floor: null,
      ratio: null,
    },
  ];
}

async function withDynamo<T>(work: (endpoint: string) => Promise<T>): Promise<T> {
  const dynamo = await startDynamoDbLocal();
  try {
    return await work(dynamo.endpoint);
  } finally {
    await dynamo.stop();
  }
}

async function benchServices(endpoint: string, tableName: string): Promise<Services> {
  const admin = new DynamoDBClient(dynamoClientConfig({ endpoint }));
  await ensureTable(admin, tableName);
  admin.destroy();
  return createServices({
    store: createStore({ tableName, endpoint }),
    settings: settingsFromEnv(),
    blobs: new LocalBlobStorage({ root: join(tmpdir(), `kith-bench-${randomUUID()}`), baseUrl: 'http://unused.invalid' }),
  });
}

async function importWithWorker(services: Services, csv: string): Promise<{ seconds: number; report: Report }> {
  const started = performance.now();
  const { job } = await services.imports.create(
    { format: 'csv', onDuplicate: 'skip', dryRun: false, allowSuppressed: false },
    'bench',
  );
  await services.blobs.write(job.fileKey, csv, 'text/csv');
  await services.imports.start(job.id);
  while ((await new ImportRunner(services, randomUUID()).run(job.id, () => 15 * 60_000)) !== 'finished');
  const done = await services.imports.get(job.id);
  return { seconds: (performance.now() - started) / 1000, report: { ...done.counters } };
}

interface Report {
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

async function importThroughApi(url: string, key: string, csv: string): Promise<{ seconds: number; report: Report }> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const started = performance.now();
  const created = (await (
    await fetch(`${url}/v1/imports`, { method: 'POST', headers, body: JSON.stringify({ format: 'csv', onDuplicate: 'skip' }) })
  ).json()) as {
    id: string;
    upload: { url: string; headers: Record<string, string> };
  };
  const upload = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: csv });
  if (!upload.ok) throw new Error(`upload failed: ${upload.status}`);
  const start = await fetch(`${url}/v1/imports/${created.id}/start`, { method: 'POST', headers });
  if (!start.ok) throw new Error(`start failed: ${await start.text()}`);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const job = (await (await fetch(`${url}/v1/imports/${created.id}`, { headers })).json()) as {
      status: string;
      failure?: string;
      progress: Report;
    };
    if (job.status === 'completed') return { seconds: (performance.now() - started) / 1000, report: job.progress };
    if (job.status === 'failed') throw new Error(`import failed: ${job.failure}`);
  }
}

/** Every contact profile and claim the import wrote, as stored. */
async function scanContactItems(store: Store): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await store.db.send(new ScanCommand({ TableName: store.tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? [])
      if (['contact', 'email_claim', 'external_id_claim'].includes(item.entityType as string)) items.push(item);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The floor: the same items into a fresh table with BatchWriteItem, RAW_CONCURRENCY calls at a time. */
async function rawLoad(endpoint: string, items: Record<string, unknown>[]): Promise<{ seconds: number }> {
  const admin = new DynamoDBClient(dynamoClientConfig({ endpoint }));
  await ensureTable(admin, 'bench-raw');
  admin.destroy();
  const store = createStore({ tableName: 'bench-raw', endpoint });
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += LIMITS.maxBatchWriteItems) batches.push(items.slice(i, i + LIMITS.maxBatchWriteItems));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: RAW_CONCURRENCY }, async () => {
      while (next < batches.length) {
        let pending = batches[next++]!.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const result = await store.db.send(new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }));
          pending = (result.UnprocessedItems?.[store.tableName] ?? []) as typeof pending;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  store.db.destroy();
  return { seconds };
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

await runStandalone({ run }, import.meta.url);
