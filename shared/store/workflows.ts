import { BatchGetCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import { shardOf, waitingMinute } from '../domain/due.ts';
import { LIMITS } from '../domain/limits.ts';
import { runExpiresAt } from '../domain/workflow-record.ts';
import type { Workflow, WorkflowRun } from '../domain/workflow.ts';
import type { Membership } from '../domain/workflow-triggers.ts';
import { ITEM_TYPES, keys, type Key } from './keys.ts';
import { entityOf } from './items.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import { versionedPut } from './versioned.ts';
import { isConditionFailure, transactWrite, type GuardedWrite } from './transact.ts';
import { contactNotErased } from './erasure-guard.ts';
import { DueIndex } from './due.ts';
import { readEntity, requireEntity } from './records.ts';
import type { Store } from './client.ts';

/** Workflow definitions: `WORKFLOW#<id>`/`DEF`, listed newest first on GSI1 (`WORKFLOWS`). */
export class WorkflowRepository {
  private readonly store: Store;
  private cache: { at: number; enabled: Workflow[] } | undefined;

  constructor(store: Store) {
    this.store = store;
  }

  get(id: string): Promise<Workflow | undefined> {
    return readEntity<Workflow>(this.store, keys.workflow(id));
  }

  require(id: string): Promise<Workflow> {
    return requireEntity<Workflow>(this.store, keys.workflow(id), 'workflow', id);
  }

  list(page: PageRequest): Promise<Page<Workflow>> {
    return queryPage<Workflow>(this.store, { ...page, index: 'gsi1', partition: keys.workflowsPartition(), newestFirst: true });
  }

  /** Every enabled workflow, oldest first (the order runs of one change execute in); cached briefly per process. */
  async enabled(): Promise<Workflow[]> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < LIMITS.workflowCacheMs) return this.cache.enabled;
    const all: Workflow[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.store.db.send(
        new QueryCommand({
          TableName: this.store.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.workflowsPartition() },
          ExclusiveStartKey: startKey,
        }),
      );
      all.push(...(result.Items ?? []).map((item) => entityOf<Workflow>(item)));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    this.cache = { at: now, enabled: all.filter((workflow) => workflow.enabled) };
    return this.cache.enabled;
  }

  async put(workflow: Workflow, expected: number): Promise<void> {
    const item = { ...workflow, entityType: ITEM_TYPES.workflow, ...keys.workflowList(workflow.id) };
    await transactWrite(this.store, [
      versionedPut(this.store.tableName, keys.workflow(workflow.id), item, expected, 'workflow', workflow.id),
    ]);
    this.cache = undefined;
  }

  async delete(current: Workflow): Promise<void> {
    await transactWrite(this.store, [
      {
        item: {
          Delete: {
            TableName: this.store.tableName,
            Key: keys.workflow(current.id),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': current.version },
          },
        },
        onConditionFailed: (existing) =>
          existing
            ? new VersionMismatchError('workflow', current.id, existing.version as number)
            : new NotFoundError('workflow', current.id),
      },
    ]);
    this.cache = undefined;
  }

  /** How far scheduled evaluations of the workflow's time trigger got, for the trigger as it was then. */
  async checkpoint(id: string): Promise<{ through: string; trigger: string } | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.workflowCheckpoint(id), ConsistentRead: true }),
    );
    return Item ? { through: Item.through as string, trigger: Item.trigger as string } : undefined;
  }

  /** Moves the checkpoint to `through` for `trigger`; an evaluation of the same trigger that got further wins. */
  async advanceCheckpoint(id: string, through: string, trigger: string): Promise<void> {
    try {
      await this.store.db.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.workflowCheckpoint(id), entityType: ITEM_TYPES.workflowCheckpoint, through, trigger },
          ConditionExpression: 'attribute_not_exists(through) OR through < :through OR #trigger <> :trigger',
          ExpressionAttributeNames: { '#trigger': 'trigger' },
          ExpressionAttributeValues: { ':through': through, ':trigger': trigger },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The next turn of a round-robin action: how many turns were handed out before. */
  async turn(workflowId: string, action: number): Promise<{ turn: number; version: number }> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.workflowCounter(workflowId, action), ConsistentRead: true }),
    );
    return { turn: (Item?.turn as number | undefined) ?? 0, version: (Item?.version as number | undefined) ?? 0 };
  }

  /** The write that hands out turn `turn` (so the next is `turn + 1`), if nobody took it meanwhile. */
  turnTaken(workflowId: string, action: number, turn: number, version: number): GuardedWrite {
    return versionedPut(
      this.store.tableName,
      keys.workflowCounter(workflowId, action),
      { entityType: ITEM_TYPES.workflowCounter, turn: turn + 1, version: version + 1 },
      version,
      'workflow_counter',
      `${workflowId}#${action}`,
    );
  }
}

/** A run is there already (its cause was seen before). */
export class RunExistsError extends Error {}

/** A choice a run made before (and kept in its memo) wins over a new one. */
export class RunMemoTakenError extends Error {
  readonly value: string | undefined;
  constructor(value: string | undefined) {
    super('The run already made this choice');
    this.value = value;
  }
}

/**
 * Runs: `RUN#<workflowId>#<contactId>#<runKey>`/`RUN`, one partition per run, listed per workflow
 * on GSI1 (`RUNS#<workflowId>`, by run id). While a run is running it waits in the sparse GSI2
 * due index (`WFRUN#<minute>#<shard>`) under its lease's end, so a run whose process died is found
 * and resumed by the scheduled sweep.
 */
export class WorkflowRunRepository {
  private readonly store: Store;
  /** Running runs by the end of their lease. */
  readonly due: DueIndex;

  constructor(store: Store) {
    this.store = store;
    this.due = new DueIndex(store, 'WFRUN', LIMITS.dueShards);
  }

  async get(workflowId: string, contactId: string, runKey: string): Promise<WorkflowRun | undefined> {
    return this.getByKey(keys.workflowRun(workflowId, contactId, runKey));
  }

  async getByKey(key: Key): Promise<WorkflowRun | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: key, ConsistentRead: true }),
    );
    return Item ? entityOf<WorkflowRun>(Item) : undefined;
  }

  /** The write that records a new run, only if no run of the same cause exists (RunExistsError otherwise). */
  startWrite(run: WorkflowRun, now: Date): GuardedWrite {
    return {
      item: {
        Put: {
          TableName: this.store.tableName,
          Item: this.itemOf(run, now),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new RunExistsError(),
    };
  }

  /**
   * A transaction guard for a run's start: its contact is not erased (a late event must not
   * start a run, which names the person, after their erasure).
   */
  contactNotErased(contactId: string): GuardedWrite {
    return contactNotErased(this.store.tableName, contactId);
  }

  /** A contact's runs of every workflow, newest first (GSI3). */
  ofContact(contactId: string, page: PageRequest): Promise<Page<WorkflowRun>> {
    return queryPage<WorkflowRun>(this.store, {
      ...page,
      index: 'gsi3',
      partition: keys.contactRunsPartition(contactId),
      newestFirst: true,
    });
  }

  /** Records a new run; false when one of the same cause was recorded before. */
  async start(run: WorkflowRun, now: Date): Promise<boolean> {
    try {
      await transactWrite(this.store, [this.startWrite(run, now), this.contactNotErased(run.contactId)]);
      return true;
    } catch (error) {
      if (error instanceof RunExistsError) return false;
      throw error;
    }
  }

  /** Stores `next` if the run is still at `expected` (VersionMismatchError otherwise). */
  async save(next: WorkflowRun, expected: number, now: Date): Promise<void> {
    await transactWrite(this.store, [
      versionedPut(this.store.tableName, this.keyOf(next), this.itemOf(next, now), expected, 'workflow_run', next.id),
    ]);
  }

  /** The write that keeps `value` as the run's choice `name`, unless it made one before (RunMemoTakenError). */
  memoWrite(run: WorkflowRun, name: string, value: string): GuardedWrite {
    return {
      item: {
        Update: {
          TableName: this.store.tableName,
          Key: this.keyOf(run),
          UpdateExpression: 'SET memo.#name = :value',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(memo.#name)',
          ExpressionAttributeNames: { '#name': name },
          ExpressionAttributeValues: { ':value': value },
        },
      },
      onConditionFailed: (existing) => new RunMemoTakenError((existing?.memo as Record<string, string> | undefined)?.[name]),
    };
  }

  list(workflowId: string, page: PageRequest): Promise<Page<WorkflowRun>> {
    return queryPage<WorkflowRun>(this.store, {
      ...page,
      index: 'gsi1',
      partition: keys.workflowRunsPartition(workflowId),
      newestFirst: true,
    });
  }

  /** Those of `runs` not recorded yet: one consistent BatchGet per 100, reading keys only. */
  async missing<T extends { contactId: string; key: string }>(workflowId: string, runs: readonly T[]): Promise<T[]> {
    const found = new Set<string>();
    for (let start = 0; start < runs.length; start += 100) {
      let pending: Record<string, unknown>[] = runs
        .slice(start, start + 100)
        .map((run) => ({ ...keys.workflowRun(workflowId, run.contactId, run.key) }));
      while (pending.length > 0) {
        const result = await this.store.db.send(
          new BatchGetCommand({
            RequestItems: { [this.store.tableName]: { Keys: pending, ProjectionExpression: 'pk', ConsistentRead: true } },
          }),
        );
        for (const item of result.Responses?.[this.store.tableName] ?? []) found.add(item.pk as string);
        pending = (result.UnprocessedKeys?.[this.store.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return runs.filter((run) => !found.has(keys.workflowRun(workflowId, run.contactId, run.key).pk));
  }

  private keyOf(run: Pick<WorkflowRun, 'workflowId' | 'contactId' | 'key'>): Key {
    return keys.workflowRun(run.workflowId, run.contactId, run.key);
  }

  private itemOf(run: WorkflowRun, now: Date) {
    const expiresAt = runExpiresAt(run);
    return {
      ...run,
      ...this.keyOf(run),
      entityType: ITEM_TYPES.workflowRun,
      ...keys.workflowRunList(run.workflowId, run.id),
      ...keys.workflowRunByContact(run.contactId, run.id),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(run.status === 'running' && run.leaseUntil
        ? keys.dueSlot(
            'WFRUN',
            waitingMinute(Date.parse(run.leaseUntil), now.getTime()),
            shardOf(run.id, LIMITS.dueShards),
            run.leaseUntil,
            run.id,
          )
        : {}),
    };
  }
}

/** A contact's recorded membership of a segment. */
export interface SegmentMember {
  state: Membership;
  /** The contact version it was decided on. */
  contactVersion: number;
  evaluatedAt: string;
  /** Bumped on every write: of two evaluations of the same contact at once, one loses its write. */
  version: number;
}

/** Segment memberships as `segment_entered` workflows see them: `SEGMENT#<id>`/`MEMBER#<contactId>`. */
export class SegmentMemberRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async get(segmentId: string, contactId: string): Promise<SegmentMember | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.segmentMember(segmentId, contactId), ConsistentRead: true }),
    );
    return Item
      ? {
          state: Item.state as Membership,
          contactVersion: Item.contactVersion as number,
          evaluatedAt: Item.evaluatedAt as string,
          version: Item.version as number,
        }
      : undefined;
  }

  /** The write of `next` over `read` (undefined: nothing recorded); fails if anyone wrote in between. */
  write(
    segmentId: string,
    contactId: string,
    next: Omit<SegmentMember, 'version'>,
    read: SegmentMember | undefined,
  ): GuardedWrite {
    const version = read?.version ?? 0;
    return versionedPut(
      this.store.tableName,
      keys.segmentMember(segmentId, contactId),
      { entityType: ITEM_TYPES.segmentMember, segmentId, contactId, ...next, version: version + 1 },
      version,
      'segment_member',
      `${segmentId}#${contactId}`,
    );
  }
}
