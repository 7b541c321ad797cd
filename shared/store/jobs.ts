import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import { ACTIVE_JOB_STATUSES, type JobStatus } from '../domain/job-record.ts';
import type { Job } from '../domain/jobs.ts';
import type { Clock } from '../domain/clock.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { entityOf } from './items.ts';
import { readEntity } from './records.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import type { Store } from './client.ts';

/** Lost the lease: another worker took the job over, so this one must stop writing. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`The lease on job ${jobId} passed to another worker.`);
  }
}

/**
 * Import and export jobs. A job item is small (counters, a checkpoint, the first errors); its
 * files live in blob storage. Workers own a job through a lease that every checkpoint renews,
 * so a crashed worker's job is taken over once its lease runs out, never while it lives.
 */
export class JobRepository {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  async create<J extends Job>(job: J): Promise<J> {
    await this.store.db.send(
      new PutCommand({
        TableName: this.store.tableName,
        Item: this.item(job),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return job;
  }

  async get<J extends Job>(id: string, kind: J['kind']): Promise<J | undefined> {
    const job = await readEntity<J>(this.store, keys.job(id));
    return job?.kind === kind ? job : undefined;
  }

  async require<J extends Job>(id: string, kind: J['kind']): Promise<J> {
    const job = await this.get<J>(id, kind);
    if (!job) throw new NotFoundError(kind, id);
    return job;
  }

  async list<J extends Job>(kind: J['kind'], page: PageRequest): Promise<Page<J>> {
    return queryPage<J>(this.store, { ...page, index: 'gsi1', partition: keys.jobListPartition(kind), newestFirst: true });
  }

  /** Every job of a kind, newest first, page by page (erasure walks them all). */
  async *everyJob<J extends Job>(kind: J['kind']): AsyncGenerator<J> {
    let cursor: string | undefined;
    do {
      const page = await this.list<J>(kind, { limit: 100, cursor });
      yield* page.results;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /**
   * Writes the next state of a job if nobody changed it since `current` was read. Used for
   * client transitions (start, cancel) and for a worker's final report.
   */
  async replace<J extends Job>(current: J, next: J): Promise<J> {
    const written = { ...next, version: current.version + 1, updatedAt: this.clock.now().toISOString() };
    try {
      await this.store.db.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: this.item(written),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': current.version },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionMismatchError(current.kind, current.id);
      throw error;
    }
    return written;
  }

  /**
   * Takes the job for `owner` when it is active and its lease is free or expired. Returns the
   * job as owned, or `undefined` when another worker holds it or it has nothing left to do.
   */
  async acquire<J extends Job>(id: string, kind: J['kind'], owner: string, leaseMs: number): Promise<J | undefined> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    try {
      const { Attributes } = await this.store.db.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.job(id),
          UpdateExpression:
            'SET leaseOwner = :owner, leaseUntil = :until, #status = :running, invocations = invocations + :one, ' +
            'startedAt = if_not_exists(startedAt, :now), version = version + :one, updatedAt = :now, gsi2pk = :active, gsi2sk = :sk',
          ConditionExpression:
            'kind = :kind AND #status IN (:queued, :running) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':until': until,
            ':running': 'running',
            ':queued': 'queued',
            ':kind': kind,
            ':one': 1,
            ':now': now.toISOString(),
            ':active': keys.activeJob(until, id).gsi2pk,
            ':sk': keys.activeJob(until, id).gsi2sk,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return entityOf<J>(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Records progress and renews the lease, only while `owner` still holds it: a worker that
   * lost its lease learns it here and stops.
   */
  async checkpoint<J extends Job>(job: J, owner: string, leaseMs: number, progress: Partial<J>): Promise<J> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ':owner': owner,
      ':until': until,
      ':now': now.toISOString(),
      ':one': 1,
      ':sk': keys.activeJob(until, job.id).gsi2sk,
      ':running': 'running',
    };
    const sets = ['leaseUntil = :until', 'updatedAt = :now', 'version = version + :one', 'gsi2sk = :sk'];
    for (const [i, [name, value]] of Object.entries(progress).entries()) {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      sets.push(`#f${i} = :v${i}`);
    }
    try {
      const { Attributes } = await this.store.db.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.job(job.id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'leaseOwner = :owner AND #status = :running',
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return entityOf<J>(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(job.id);
      throw error;
    }
  }

  /**
   * Ends the worker's turn: either the job is finished (`final`), or it hands itself to the
   * next invocation by freeing the lease and bumping `dispatch`.
   */
  async release<J extends Job>(
    job: J,
    owner: string,
    outcome: { final: Partial<J> & { status: JobStatus } } | { continueLater: true },
  ): Promise<J> {
    const now = this.clock.now().toISOString();
    const fields: Record<string, unknown> =
      'final' in outcome ? { ...outcome.final, finishedAt: now } : { dispatch: job.dispatch + 1 };
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':owner': owner, ':now': now, ':one': 1, ':running': 'running' };
    const sets = ['updatedAt = :now', 'version = version + :one'];
    for (const [i, [name, value]] of Object.entries(fields).entries()) {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      sets.push(`#f${i} = :v${i}`);
    }
    const removes = ['leaseOwner', 'leaseUntil', ...('final' in outcome ? ['gsi2pk', 'gsi2sk'] : [])];
    try {
      const { Attributes } = await this.store.db.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.job(job.id),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: 'leaseOwner = :owner AND #status = :running',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return entityOf<J>(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(job.id);
      throw error;
    }
  }

  /** Active jobs whose lease has run out (or that were never picked up): the sweeper re-dispatches them. */
  async stalled(limit = 25): Promise<Job[]> {
    const now = this.clock.now().toISOString();
    const { Items } = await this.store.db.send(
      new QueryCommand({
        TableName: this.store.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :now',
        ExpressionAttributeValues: { ':pk': keys.activeJobsPartition(), ':now': now },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => entityOf<Job>(item)).filter((job) => ACTIVE_JOB_STATUSES.includes(job.status));
  }

  /** Re-triggers a stalled job by bumping `dispatch` (the stream carries the change to its worker). */
  async redispatch(job: Job): Promise<void> {
    try {
      await this.store.db.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.job(job.id),
          UpdateExpression: 'SET dispatch = dispatch + :one, version = version + :one, updatedAt = :now',
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':one': 1, ':now': this.clock.now().toISOString(), ':expected': job.version },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private item(job: Job): Record<string, unknown> {
    const active = ACTIVE_JOB_STATUSES.includes(job.status);
    const entityType = job.kind === 'import' ? ITEM_TYPES.importJob : ITEM_TYPES.exportJob;
    return {
      ...job,
      ...keys.job(job.id),
      ...keys.jobList(job.kind, job.id),
      // A queued job is "stalled" from the start, so the sweeper also dispatches one whose trigger was lost.
      ...(active ? keys.activeJob(job.leaseUntil ?? job.updatedAt, job.id) : {}),
      entityType,
    };
  }
}
