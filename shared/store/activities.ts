import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import { isInteraction, type Interaction } from '../domain/engagement.ts';
import type { Activity } from '../domain/activity.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { entityOf } from './items.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import { versionedPut } from './versioned.ts';
import type { GuardedWrite } from './transact.ts';
import type { Store } from './client.ts';

/** A contact's timeline: `CONTACT#<id>` / `ACT#<ULID of occurredAt>`, so it reads newest first by when things happened. */
export class ActivityRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async get(contactId: string, activityId: string): Promise<Activity | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.activity(contactId, activityId), ConsistentRead: true }),
    );
    return Item ? entityOf<Activity>(Item) : undefined;
  }

  async require(contactId: string, activityId: string): Promise<Activity> {
    const activity = await this.get(contactId, activityId);
    if (!activity) throw new NotFoundError('activity', activityId);
    return activity;
  }

  list(contactId: string, page: PageRequest): Promise<Page<Activity>> {
    return queryPage<Activity>(this.store, {
      ...page,
      partition: keys.contactPartition(contactId),
      sortKeyPrefix: keys.contactItemPrefix.activity,
      newestFirst: true,
    });
  }

  /** Writes a new entry; `version` 1, and never over an existing one. */
  putWrite(activity: Activity): GuardedWrite {
    return this.versionedWrite(activity, 0);
  }

  replaceWrite(next: Activity): GuardedWrite {
    return this.versionedWrite(next, next.version - 1);
  }

  deleteWrite(activity: Activity): GuardedWrite {
    return {
      item: {
        Delete: {
          TableName: this.store.tableName,
          Key: keys.activity(activity.contactId, activity.id),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': activity.version },
        },
      },
      onConditionFailed: (existing) =>
        existing
          ? new VersionMismatchError('activity', activity.id, existing.version as number)
          : new NotFoundError('activity', activity.id),
    };
  }

  /** Moves an entry to another contact's timeline (a merge): put there first, delete here second, atomically. */
  moveWrites(activity: Activity, toContactId: string, actor: string, now: string): GuardedWrite[] {
    const moved: Activity & { movedFrom: string } = {
      ...activity,
      contactId: toContactId,
      movedFrom: activity.contactId,
      version: activity.version + 1,
      updatedAt: now,
      updatedBy: actor,
    };
    return [this.putWrite(moved), this.deleteWrite(activity)];
  }

  /**
   * The contact's interactions (calls, emails, meetings) newest first, back to `since` and at
   * most `max` of them: what an engagement score is computed from. Reads only what it needs.
   */
  async interactions(
    contactId: string,
    options: { max: number; skip?: string; since?: (newest: string) => string },
  ): Promise<Interaction[]> {
    const found: Interaction[] = [];
    let startKey: Record<string, unknown> | undefined;
    let floor: string | undefined;
    do {
      const result = await this.store.db.send(
        new QueryCommand({
          TableName: this.store.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.contactPartition(contactId), ':prefix': keys.contactItemPrefix.activity },
          ProjectionExpression: 'id, kind, direction, occurredAt',
          ScanIndexForward: false,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) {
        if (item.id === options.skip || typeof item.kind !== 'string' || !isInteraction(item.kind)) continue;
        const occurredAt = item.occurredAt as string;
        floor ??= options.since?.(occurredAt);
        if (floor !== undefined && occurredAt < floor) return found;
        found.push({ kind: item.kind, direction: item.direction as Interaction['direction'], occurredAt });
        if (found.length >= options.max) return found;
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  private versionedWrite(activity: Activity, expected: number): GuardedWrite {
    return versionedPut(
      this.store.tableName,
      keys.activity(activity.contactId, activity.id),
      { ...activity, entityType: ITEM_TYPES.activity },
      expected,
      'activity',
      activity.id,
    );
  }
}
