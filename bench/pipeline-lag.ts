/**
 * Stream-to-consumer lag of the local pipeline: from the moment a contact update is issued to
 * the moment its field history entry is visible, idle and under a burst of writes. The floor,
 * measured in the same run on the same DynamoDB Local, is what no pipeline can avoid: the write
 * itself (its median latency idle, or during the burst for the burst figures), then one empty
 * GetRecords and one history put.
 *
 *   node_modules/.bin/node bench/pipeline-lag.ts [--full]
 */
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { startRuntime, type Runtime } from '../infra/local/runtime.ts';
import { LOCAL_PIPELINE } from '../infra/local/pipeline.ts';
import { dynamoClientConfig } from '../shared/store/client.ts';
import { HistoryRepository } from '../shared/store/history.ts';
import type { KithEvent } from '../shared/events/types.ts';
import { figure, runStandalone, type Figure } from './lib/figures.ts';
import { median, percentile } from './lib/stats.ts';

const ACTOR = 'key:bench';
// One info line per history entry would drown the figures; an explicit setting still wins.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

export async function run(options: { full: boolean }): Promise<Figure[]> {
  const burst = 1000;
  const writers = 20;
  const samples = options.full ? 40 : 15;
  const dynamo = await startDynamoDbLocal();
  let runtime: Runtime | undefined;
  try {
    runtime = await startRuntime({
      dynamoEndpoint: dynamo.endpoint,
      tableName: `bench-${randomUUID()}`,
      port: 0,
      settings: { defaultPhoneRegion: 'US' },
      realTimeSchedules: false,
    });
    const { contacts } = runtime.services;

    // When each history entry became visible: the history function returned after its put.
    const visibleAt = new Map<string, number>();
    const waiting = new Map<string, () => void>();
    runtime.pipeline.observe({
      delivered: (target, payload) => {
        if (target.name !== 'field-history') return;
        const { id, version } = (payload as KithEvent).detail;
        const key = `${id}:${version}`;
        visibleAt.set(key, performance.now());
        waiting.get(key)?.();
      },
    });
    const visible = (key: string) =>
      visibleAt.has(key) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(key, resolve));

    const people = await Promise.all(
      Array.from({ length: writers }, (_, i) => contacts.create({ firstName: `Writer ${i}` }, ACTOR)),
    );
    await runtime.pipeline.drain();

    // Floor: the round trips one event needs at the very least, measured idle, one at a time.
    const writeMs: number[] = [];
    const idleLagMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const person = people[i % writers]!;
      // Writes arrive at any moment of the poll cycle, not right after a poll.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * LOCAL_PIPELINE.pollIntervalMs));
      const started = performance.now();
      const updated = await contacts.update(person.id, { jobTitle: `Idle ${i}` }, ACTOR);
      writeMs.push(performance.now() - started);
      await visible(`${person.id}:${updated.version}`);
      idleLagMs.push(visibleAt.get(`${person.id}:${updated.version}`)! - started);
    }
    await runtime.pipeline.drain();
    const getRecordsMs = await emptyGetRecordsRoundTrips(dynamo.endpoint, runtime.tableName, samples);
    const historyPutMs = await historyPutRoundTrips(runtime, samples);
    const pipelineFloor = median(getRecordsMs) + median(historyPutMs);

    // The burst: `writers` concurrent writers, each updating its own contact (no version races).
    const issuedAt = new Map<string, number>();
    const burstWriteMs: number[] = [];
    const burstStarted = performance.now();
    await Promise.all(
      people.map(async (person, w) => {
        for (let i = w; i < burst; i += writers) {
          const started = performance.now();
          const updated = await contacts.update(person.id, { jobTitle: `Burst ${i}` }, ACTOR);
          burstWriteMs.push(performance.now() - started);
          issuedAt.set(`${person.id}:${updated.version}`, started);
        }
      }),
    );
    const writesDone = performance.now();
    await runtime.pipeline.drain();
    const lags = [...issuedAt].map(([key, started]) => visibleAt.get(key)! - started);
    const lastVisible = Math.max(...[...issuedAt.keys()].map((key) => visibleAt.get(key)!));
    if (lags.some((lag) => Number.isNaN(lag))) throw new Error('some burst writes never reached their history');

    const idleFloor = median(writeMs) + pipelineFloor;
    const burstFloor = median(burstWriteMs) + pipelineFloor;
    return [
      figure(
        'pipeline lag idle p50 (write issued → history visible)',
        median(idleLagMs),
        'ms',
        idleFloor,
        'floor: write + GetRecords + history put',
      ),
      figure(`pipeline lag p50 under a burst of ${burst} writes (${writers} writers)`, percentile(lags, 50), 'ms', burstFloor),
      figure(`pipeline lag p95 under a burst of ${burst} writes (${writers} writers)`, percentile(lags, 95), 'ms', burstFloor),
      figure(
        'pipeline throughput during the burst (history entries per second)',
        (burst / (lastVisible - burstStarted)) * 1000,
        'events/s',
        null,
      ),
      figure(
        'burst write rate (contact updates per second, for scale)',
        (burst / (writesDone - burstStarted)) * 1000,
        'writes/s',
        null,
      ),
      figure('empty GetRecords round trip (median)', median(getRecordsMs), 'ms', null),
      figure(
        'stream poll interval when idle (setting)',
        LOCAL_PIPELINE.pollIntervalMs,
        'ms',
        null,
        'idle lag ≈ floor + half of it',
      ),
    ];
  } finally {
    await runtime?.stop();
    await dynamo.stop();
  }
}

/** GetRecords on an up-to-date iterator: the cheapest possible read of the stream. */
async function emptyGetRecordsRoundTrips(endpoint: string, tableName: string, samples: number): Promise<number[]> {
  const config = dynamoClientConfig({ endpoint });
  const admin = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  try {
    const streamArn = (await admin.send(new DescribeTableCommand({ TableName: tableName }))).Table!.LatestStreamArn!;
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards!;
    const open = shards.find((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)!;
    let iterator = (
      await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: open.ShardId!, ShardIteratorType: 'LATEST' }),
      )
    ).ShardIterator;
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      iterator = (await streams.send(new GetRecordsCommand({ ShardIterator: iterator }))).NextShardIterator;
      times.push(performance.now() - started);
    }
    return times;
  } finally {
    admin.destroy();
    streams.destroy();
  }
}

/** The history consumer's one write: a conditional put of a new entry. */
async function historyPutRoundTrips(runtime: Runtime, samples: number): Promise<number[]> {
  const repository = new HistoryRepository(runtime.services.store);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await repository.record({
      entity: 'contact',
      entityId: `bench-floor-${i}`,
      version: 1,
      eventId: `floor-${i}`,
      event: 'contact.updated',
      actor: ACTOR,
      occurredAt: new Date().toISOString(),
      changes: [{ field: 'jobTitle', to: 'x' }],
    });
    times.push(performance.now() - started);
  }
  return times;
}

await runStandalone({ run }, import.meta.url);
