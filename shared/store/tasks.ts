import { UpdateCommand, BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import { isReminderPending, type Task, type TaskStatus } from '../domain/task.ts';
import { shardOf, waitingMinute } from '../domain/due.ts';
import { LIMITS } from '../domain/limits.ts';
import { ITEM_TYPES, keys, type Key } from './keys.ts';
import { entityOf } from './items.ts';
import { readEntity, requireEntity } from './records.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import { versionedPut } from './versioned.ts';
import { isConditionFailure, type GuardedWrite } from './transact.ts';
import type { Store } from './client.ts';

export interface TaskFilter {
  contactId?: string;
  assigneeId?: string;
  status?: TaskStatus;
}

/** Who fires reminders, as `updatedBy` of the write that fires one. */
export const REMINDER_ACTOR = 'system:reminders';

/**
 * Tasks: `TASK#<id>`/`TASK`, listed three ways in one order (open first, soonest due first):
 * every task on GSI1 (`TASKS`), an assignee's on GSI3, a contact's through a link item in the
 * contact's partition (`CONTACT#<id>`/`TASK#<order>`, so merging and exporting a contact find
 * its tasks with everything else it owns). While a reminder waits, the task also sits in the
 * sparse GSI2 under `REMIND#<minute>#<shard>`.
 */
export class TaskRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  get(id: string): Promise<Task | undefined> {
    return readEntity<Task>(this.store, keys.task(id));
  }

  require(id: string): Promise<Task> {
    return requireEntity<Task>(this.store, keys.task(id), 'task', id);
  }

  /** The writes that store `next` (at `now`) over `current` (undefined when new), links included. */
  writes(current: Task | undefined, next: Task, now: Date): GuardedWrite[] {
    return [
      versionedPut(this.store.tableName, keys.task(next.id), this.itemOf(next, now), current?.version ?? 0, 'task', next.id),
      ...this.linkWrites(current, next),
    ];
  }

  deleteWrites(current: Task): GuardedWrite[] {
    return [
      {
        item: {
          Delete: {
            TableName: this.store.tableName,
            Key: keys.task(current.id),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': current.version },
          },
        },
        onConditionFailed: (existing) =>
          existing
            ? new VersionMismatchError('task', current.id, existing.version as number)
            : new NotFoundError('task', current.id),
      },
      ...this.linkWrites(current, undefined),
    ];
  }

  async list(filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    if (filter.contactId) {
      const links = await queryPage<{ taskId: string }>(this.store, {
        ...page,
        partition: keys.contactPartition(filter.contactId),
        sortKeyPrefix: keys.taskLinksPrefix(filter.status),
      });
      return { results: await this.getMany(links.results.map((link) => link.taskId)), nextCursor: links.nextCursor };
    }
    const prefix = filter.status ? keys.taskStatusPrefix(filter.status) : undefined;
    if (filter.assigneeId) {
      return queryPage<Task>(this.store, {
        ...page,
        index: 'gsi3',
        partition: keys.assigneeTasksPartition(filter.assigneeId),
        sortKeyPrefix: prefix,
      });
    }
    return queryPage<Task>(this.store, { ...page, index: 'gsi1', partition: keys.taskListPartition(), sortKeyPrefix: prefix });
  }

  /** The first `max` task links in a contact's partition. */
  async links(contactId: string, max: number): Promise<(Key & { taskId: string })[]> {
    const { Items } = await this.store.db.send(
      new QueryCommand({
        TableName: this.store.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.contactPartition(contactId), ':prefix': keys.taskLinksPrefix() },
        ProjectionExpression: 'pk, sk, taskId',
        ConsistentRead: true,
        Limit: max,
      }),
    );
    return (Items ?? []) as (Key & { taskId: string })[];
  }

  /** Removes a link whose task is gone or is about someone else now. */
  staleLinkDelete(link: Key): GuardedWrite {
    return { item: { Delete: { TableName: this.store.tableName, Key: { pk: link.pk, sk: link.sk } } } };
  }

  /**
   * Fires the reminder of `taskId` for `remindAt`, at most once: a conditional update that only
   * succeeds while that very reminder is still pending (not fired, not rescheduled, task open),
   * bumps the version and takes the task out of the due index. The change stream carries the
   * appearance of `remindedAt`, which the translator publishes as `task.reminder_due`.
   */
  async fireReminder(taskId: string, remindAt: string, now: Date): Promise<boolean> {
    try {
      await this.store.db.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.task(taskId),
          UpdateExpression:
            'SET remindedAt = :now, updatedAt = :now, updatedBy = :actor, version = version + :one REMOVE gsi2pk, gsi2sk',
          ConditionExpression: 'remindAt = :remindAt AND attribute_not_exists(remindedAt) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':actor': REMINDER_ACTOR,
            ':one': 1,
            ':remindAt': remindAt,
            ':open': 'open',
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async getMany(ids: string[]): Promise<Task[]> {
    if (ids.length === 0) return [];
    const found = new Map<string, Task>();
    let pending: Record<string, unknown>[] = ids.map((id) => ({ ...keys.task(id) }));
    while (pending.length > 0) {
      const result = await this.store.db.send(
        new BatchGetCommand({ RequestItems: { [this.store.tableName]: { Keys: pending } } }),
      );
      for (const item of result.Responses?.[this.store.tableName] ?? []) {
        const task = entityOf<Task>(item);
        found.set(task.id, task);
      }
      pending = (result.UnprocessedKeys?.[this.store.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  private itemOf(task: Task, now: Date) {
    return {
      ...task,
      entityType: ITEM_TYPES.task,
      ...keys.taskList(task),
      ...(task.assigneeId ? keys.taskByAssignee(task.assigneeId, task) : {}),
      ...(isReminderPending(task)
        ? keys.dueSlot(
            'REMIND',
            waitingMinute(Date.parse(task.remindAt!), now.getTime()),
            shardOf(task.id, LIMITS.dueShards),
            task.remindAt!,
            task.id,
          )
        : {}),
    };
  }

  /** Moves the contact's link when the task's contact, status or due date changes. */
  private linkWrites(current: Task | undefined, next: Task | undefined): GuardedWrite[] {
    const before = current?.contactId ? keys.taskLink(current.contactId, current) : undefined;
    const after = next?.contactId ? keys.taskLink(next.contactId, next) : undefined;
    if (sameKey(before, after)) return [];
    const writes: GuardedWrite[] = [];
    if (before) writes.push({ item: { Delete: { TableName: this.store.tableName, Key: before } } });
    if (after) {
      writes.push({
        item: {
          Put: {
            TableName: this.store.tableName,
            Item: { ...after, entityType: ITEM_TYPES.taskLink, taskId: next!.id, contactId: next!.contactId },
          },
        },
      });
    }
    return writes;
  }
}

function sameKey(a: Key | undefined, b: Key | undefined): boolean {
  return a?.pk === b?.pk && a?.sk === b?.sk;
}
