import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { changeStream, eventDelivery, schedules, subscriptions, type FunctionName } from '../topology.ts';
import { dynamoClientConfig } from '../../shared/store/client.ts';
import { StoredDeadLetterQueue, type DeadLetterStore, type DeliveryTarget } from '../../shared/events/dead-letters.ts';
import type { BusEntry, KithEvent } from '../../shared/events/types.ts';
import type { Clock } from '../../shared/domain/clock.ts';
import { Deliverer, type DeliveryPayload, type RetryPolicy } from './delivery.ts';
import { LocalEventBus } from './event-bus.ts';
import { LocalScheduler } from './scheduler.ts';
import { StreamPoller } from './stream-poller.ts';
import { lambdaContext, type LocalHandler } from './lambda.ts';

/** Settings of the local pipeline only; what both runtimes share lives in infra/topology.ts. */
export const LOCAL_PIPELINE = {
  /** Pause between stream reads that found nothing (Lambda's own poller reads 4 times a second). */
  pollIntervalMs: 100,
  shardRefreshMs: 10_000,
  maxRecordsPerRead: 1000,
  /**
   * Consumer invocations running at once. Lambda runs each event in its own invocation; 16 keeps
   * consumers abreast of 20 concurrent writers on one DynamoDB Local (bench/pipeline-lag.ts).
   */
  concurrency: 16,
  /** Backoff before retry n is base · 2^(n-1), with jitter, capped: short, so tests stay fast. */
  retryBaseDelayMs: 25,
  retryMaxDelayMs: 400,
  /** Deliveries waiting above which the poller stops reading until they drain. */
  highWaterMark: 2_000,
  /** Rounds of "consumers wrote, so read the stream again" before drain() gives up on a feedback loop. */
  maxDrainRounds: 25,
  /** Attempts of the enrichment on one batch before the batch is logged and skipped. */
  enrichmentAttempts: 3,
} as const;

export interface LocalPipelineOptions {
  dynamoEndpoint: string;
  tableName: string;
  /** The runtime's functions, looked up when invoked (they are loaded after the pipeline is built). */
  handlers: Partial<Record<FunctionName, LocalHandler>>;
  deadLetterStore: DeadLetterStore;
  clock: Clock;
  /** Run schedules on a timer; otherwise only `scheduler.tick()` runs them. */
  realTimeSchedules: boolean;
  retry?: Partial<RetryPolicy>;
  /**
   * Runs when drain() has delivered everything: makes what consumers derived visible (OpenSearch
   * shows indexed documents only after its next refresh), so "drained" means "readable".
   */
  afterDrain?: () => Promise<void>;
}

/** Hooks for tests and benchmarks: what the pipeline published and delivered. */
export interface PipelineObserver {
  /** Events put on the bus by the change stream, in stream order. */
  published?(events: readonly KithEvent[]): void;
  /** A delivery that succeeded (after however many attempts). */
  delivered?(target: DeliveryTarget, payload: DeliveryPayload): void;
}

/**
 * The local change-stream pipeline: poller → stream-publisher → bus → consumers, plus the
 * scheduler and the dead letters, with the hooks tests need to wait without sleeping.
 */
export class LocalPipeline {
  readonly bus: LocalEventBus;
  readonly scheduler: LocalScheduler;
  /** The DeadLetterQueue port Services exposes (admin routes). */
  readonly deadLetters: StoredDeadLetterQueue;
  private readonly options: LocalPipelineOptions;
  private readonly deliverer: Deliverer;
  private readonly observers = new Set<PipelineObserver>();
  private readonly logger = new Logger({ serviceName: 'kith', persistentKeys: { component: 'local-pipeline' } });
  private poller: StreamPoller | undefined;
  private streams: DynamoDBStreamsClient | undefined;

  constructor(options: LocalPipelineOptions) {
    this.options = options;
    this.deliverer = new Deliverer({
      invoke: (name, payload) => this.invoke(name as FunctionName, payload),
      deadLetters: options.deadLetterStore,
      retry: {
        maxAttempts: eventDelivery.maxAttempts,
        baseDelayMs: LOCAL_PIPELINE.retryBaseDelayMs,
        maxDelayMs: LOCAL_PIPELINE.retryMaxDelayMs,
        ...options.retry,
      },
      concurrency: LOCAL_PIPELINE.concurrency,
      onDelivered: (target, payload) => {
        for (const observer of this.observers) observer.delivered?.(target, payload);
      },
      onFailedAttempt: (target, error, attempt) =>
        this.logger.warn('delivery failed', { target: target.name, function: target.function, attempt, error: String(error) }),
      now: () => options.clock.now(),
    });
    this.bus = new LocalEventBus(subscriptions, this.deliverer);
    this.scheduler = new LocalScheduler({
      schedules,
      deliverer: this.deliverer,
      clock: options.clock,
      realTime: options.realTimeSchedules,
      onError: (message, error) => this.logger.error(message, { error: String(error) }),
    });
    this.deadLetters = new StoredDeadLetterQueue(
      options.deadLetterStore,
      (letter) => this.deliverer.redeliver(letter.target, letter.payload),
      () => options.clock.now(),
    );
  }

  /** Starts reading the stream from now on (LATEST) and the scheduler. */
  async start(): Promise<void> {
    const config = dynamoClientConfig({ endpoint: this.options.dynamoEndpoint });
    const admin = new DynamoDBClient(config);
    let streamArn: string | undefined;
    try {
      streamArn = (await admin.send(new DescribeTableCommand({ TableName: this.options.tableName }))).Table?.LatestStreamArn;
    } finally {
      admin.destroy();
    }
    if (!streamArn) throw new Error(`The table ${this.options.tableName} has no stream; recreate it from shared/store/table.ts.`);
    this.streams = new DynamoDBStreamsClient(config);
    this.poller = new StreamPoller({
      client: this.streams,
      streamArn,
      onRecords: (records) => this.publish(records),
      pollIntervalMs: LOCAL_PIPELINE.pollIntervalMs,
      shardRefreshMs: LOCAL_PIPELINE.shardRefreshMs,
      maxRecordsPerRead: LOCAL_PIPELINE.maxRecordsPerRead,
      backpressure: () => this.belowHighWaterMark(),
      onError: (message, error) => this.logger.error(message, { error: String(error) }),
    });
    await this.poller.start();
    this.scheduler.start();
  }

  /**
   * Resolves once everything written to the table before the call has been read, translated
   * and delivered (or dead-lettered), including what consumers wrote in turn.
   */
  async drain(): Promise<void> {
    if (!this.poller) return this.idle();
    await this.poller.caughtUp();
    for (let round = 0; round < LOCAL_PIPELINE.maxDrainRounds; round++) {
      const read = this.poller.recordsRead;
      await this.deliverer.idle();
      await this.poller.caughtUp();
      if (this.poller.recordsRead === read && this.deliverer.backlog === 0) return this.options.afterDrain?.();
    }
    throw new Error(`The pipeline did not settle within ${LOCAL_PIPELINE.maxDrainRounds} rounds: do consumers feed each other?`);
  }

  /** Resolves once no delivery is queued, running or waiting to retry (the stream is not read). */
  idle(): Promise<void> {
    return this.deliverer.idle();
  }

  /** Registers an observer; returns the function that removes it. */
  observe(observer: PipelineObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Stops reading, then dead-letters whatever was not delivered yet, so nothing is silently lost. */
  async stop(): Promise<void> {
    await this.poller?.stop();
    await this.scheduler.stop();
    await this.deliverer.stop();
    this.streams?.destroy();
  }

  /** The Pipe's job: enrichment on batches of `changeStream.batchSize`, then the bus, in order. */
  private async publish(records: DynamoDBRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += changeStream.batchSize) {
      const batch = records.slice(start, start + changeStream.batchSize);
      const entries = await this.enrich(batch);
      if (!entries) continue;
      const { events } = this.bus.put(entries);
      for (const observer of this.observers) observer.published?.(events);
    }
  }

  private async enrich(batch: DynamoDBRecord[]): Promise<BusEntry[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const entries = await this.invoke(changeStream.enrichment, batch);
        if (!Array.isArray(entries)) throw new Error('the enrichment returned no array');
        return entries as BusEntry[];
      } catch (error) {
        if (attempt >= LOCAL_PIPELINE.enrichmentAttempts) {
          const eventIds = batch.map((record) => record.eventID);
          this.logger.error('stream batch skipped: the enrichment kept failing', { error: String(error), eventIds });
          return undefined;
        }
      }
    }
  }

  private async invoke(name: FunctionName, payload: unknown): Promise<unknown> {
    const handler = this.options.handlers[name];
    if (!handler) throw new Error(`No local handler for the function ${name}.`);
    return handler(payload, lambdaContext(name));
  }

  private async belowHighWaterMark(): Promise<void> {
    while (this.deliverer.backlog > LOCAL_PIPELINE.highWaterMark) await this.deliverer.idle();
  }
}
