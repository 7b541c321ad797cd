import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { lambdaRecordOf } from './stream-records.ts';

const MAX_ERROR_BACKOFF_MS = 5_000;

export interface StreamPollerOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  /** Receives each page of one shard's records, in stream order; the poller waits for it. */
  onRecords(records: DynamoDBRecord[]): Promise<void>;
  /** Pause between rounds that found nothing new. */
  pollIntervalMs: number;
  /** How often the shard list is read again (at once when a shard closes). */
  shardRefreshMs: number;
  /** GetRecords page size (DynamoDB Streams allows up to 1000). */
  maxRecordsPerRead: number;
  /** Resolves when the consumer side can take more; the poller reads on only then. */
  backpressure?: () => Promise<void>;
  onError?: (message: string, error: unknown) => void;
}

export type ShardStatus = 'waiting' | 'reading' | 'finished';

export interface ShardState {
  id: string;
  parentId?: string;
  status: ShardStatus;
  /** Where a fresh iterator starts when there is no sequence number to resume after. */
  startAt: Extract<ShardIteratorType, 'LATEST' | 'TRIM_HORIZON'>;
  iterator?: string;
  lastSequenceNumber?: string;
}

/**
 * Which new shards to read, and from where. At start every open shard is read from LATEST (as a
 * Pipe with StartingPosition LATEST) and closed ones are skipped. A shard found later was born
 * after the start, so it is read from TRIM_HORIZON, but only once its parent is drained: that
 * keeps each item's records in order across a shard split.
 */
export function admitShards(known: ReadonlyMap<string, ShardState>, described: readonly Shard[], atStart: boolean): ShardState[] {
  const admitted: ShardState[] = [];
  for (const shard of described) {
    if (!shard.ShardId || known.has(shard.ShardId)) continue;
    const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
    const parent = shard.ParentShardId
      ? (known.get(shard.ParentShardId) ?? admitted.find((s) => s.id === shard.ParentShardId))
      : undefined;
    const base = { id: shard.ShardId, ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}) };
    if (atStart) admitted.push({ ...base, startAt: 'LATEST', status: closed ? 'finished' : 'reading' });
    else
      admitted.push({ ...base, startAt: 'TRIM_HORIZON', status: parent && parent.status !== 'finished' ? 'waiting' : 'reading' });
  }
  return admitted;
}

/** Shards whose parent is drained may be read. */
export function releaseChildren(shards: Map<string, ShardState>): void {
  for (const shard of shards.values()) {
    if (shard.status !== 'waiting') continue;
    const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
    if (!parent || parent.status === 'finished') shard.status = 'reading';
  }
}

/**
 * Reads every shard of a DynamoDB stream continuously, the way the Pipe's poller does in AWS:
 * continuous iterators, renewed when they expire, parents drained before children.
 */
export class StreamPoller {
  private readonly options: StreamPollerOptions;
  private readonly shards = new Map<string, ShardState>();
  private readonly caughtUpWaiters: { minRound: number; resolve: () => void }[] = [];
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private roundsStarted = 0;
  private lastRefresh = 0;
  private refreshNeeded = false;
  private read = 0;

  constructor(options: StreamPollerOptions) {
    this.options = options;
  }

  /** Records read since the poller started, whatever they were. */
  get recordsRead(): number {
    return this.read;
  }

  /** Takes LATEST iterators on every open shard: whatever is written after this resolves is read. */
  async start(): Promise<void> {
    await this.refreshShards(true);
    for (const shard of this.shards.values()) if (shard.status === 'reading') await this.renewIterator(shard);
    this.loop = this.run();
  }

  /** Resolves after a full round, begun after this call, found no unread record in any shard. */
  caughtUp(): Promise<void> {
    if (this.stopping || !this.loop) return Promise.resolve();
    const promise = new Promise<void>((resolve) => this.caughtUpWaiters.push({ minRound: this.roundsStarted + 1, resolve }));
    this.wake?.();
    return promise;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    for (const waiter of this.caughtUpWaiters.splice(0)) waiter.resolve();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const round = ++this.roundsStarted;
      let busy = false;
      let failed = false;
      try {
        if (this.refreshNeeded || Date.now() - this.lastRefresh >= this.options.shardRefreshMs) await this.refreshShards(false);
        for (const shard of this.shards.values()) {
          if (this.stopping) break;
          if (shard.status === 'reading' && (await this.readShard(shard))) busy = true;
        }
      } catch (error) {
        failed = true; // an incomplete round proves nothing about being caught up
        if (!this.stopping) this.options.onError?.('reading the change stream failed; retrying', error);
      }
      if (this.stopping) break;
      failures = failed ? failures + 1 : 0;
      if (failed) {
        // Back off while the stream is unreachable instead of spinning on it.
        await this.sleep(Math.min(MAX_ERROR_BACKOFF_MS, this.options.pollIntervalMs * 2 ** failures));
      } else if (!busy) {
        for (const waiter of this.caughtUpWaiters.filter((w) => w.minRound <= round)) {
          this.caughtUpWaiters.splice(this.caughtUpWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        await this.sleep(this.options.pollIntervalMs);
      }
    }
  }

  /** One GetRecords on one shard; true when it returned records (there may be more). */
  private async readShard(shard: ShardState): Promise<boolean> {
    await this.options.backpressure?.();
    if (!shard.iterator) await this.renewIterator(shard);
    let page;
    try {
      page = await this.options.client.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.options.maxRecordsPerRead }),
      );
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        shard.iterator = undefined;
        return true;
      }
      if (error instanceof TrimmedDataAccessException) {
        shard.iterator = undefined;
        shard.lastSequenceNumber = undefined;
        shard.startAt = 'TRIM_HORIZON';
        return true;
      }
      throw error;
    }
    const records = page.Records ?? [];
    if (records.length > 0) {
      this.read += records.length;
      shard.lastSequenceNumber = records.at(-1)!.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
      try {
        await this.options.onRecords(records.map((record) => lambdaRecordOf(record, this.options.streamArn)));
      } catch (error) {
        this.options.onError?.('the change-stream consumer failed on a batch; it was skipped', error);
      }
    }
    shard.iterator = page.NextShardIterator;
    if (!page.NextShardIterator) {
      shard.status = 'finished';
      this.refreshNeeded = true;
    }
    return records.length > 0 || !page.NextShardIterator;
  }

  private async renewIterator(shard: ShardState): Promise<void> {
    const resume = shard.lastSequenceNumber
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.lastSequenceNumber }
      : { ShardIteratorType: shard.startAt };
    const { ShardIterator } = await this.options.client.send(
      new GetShardIteratorCommand({ StreamArn: this.options.streamArn, ShardId: shard.id, ...resume }),
    );
    shard.iterator = ShardIterator;
  }

  private async refreshShards(atStart: boolean): Promise<void> {
    const described: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.client.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      described.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    for (const shard of admitShards(this.shards, described, atStart)) this.shards.set(shard.id, shard);
    releaseChildren(this.shards);
    // Parents first, so a split's records come out in order.
    const ordered = [...this.shards.values()].sort((a, b) => depthOf(this.shards, a) - depthOf(this.shards, b));
    this.shards.clear();
    for (const shard of ordered) this.shards.set(shard.id, shard);
    this.lastRefresh = Date.now();
    this.refreshNeeded = false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function depthOf(shards: ReadonlyMap<string, ShardState>, shard: ShardState): number {
  let depth = 0;
  for (let parent = shard.parentId; parent && shards.has(parent) && depth < 1000; parent = shards.get(parent)!.parentId) depth++;
  return depth;
}
