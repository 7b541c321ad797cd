import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { entityOf } from './items.ts';
import { isConditionFailure, transactWrite, type GuardedWrite } from './transact.ts';
import type { Store } from './client.ts';

export type MergeStep = 'locked' | 'moving' | 'done';

/** The checkpoint of one merge, keyed by its loser (a contact is merged away at most once). */
export interface MergeRecord {
  mergeId: string;
  survivorId: string;
  loserId: string;
  step: MergeStep;
  /** Participants whose items are all moved. */
  completed: string[];
  actor: string;
  startedAt: string;
  finishedAt?: string;
}

const inProgress = (contactId: string) =>
  new ConflictError(`A merge involving contact ${contactId} is in progress; retry when it has finished.`, contactId);

export class MergeRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async get(loserId: string): Promise<MergeRecord | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.merge(loserId), ConsistentRead: true }),
    );
    return Item ? entityOf<MergeRecord>(Item) : undefined;
  }

  /**
   * Starts a merge: its record and a lock on both contacts, only while neither is locked by
   * another merge and both are still at the versions read. A∪B and B∪A racing: one wins.
   */
  async begin(record: MergeRecord, versions: { survivor: number; loser: number }): Promise<void> {
    const lock = (contactId: string): GuardedWrite => ({
      item: {
        Put: {
          TableName: this.store.tableName,
          Item: { ...keys.mergeLock(contactId), entityType: ITEM_TYPES.mergeLock, mergeId: record.mergeId, contactId },
          ConditionExpression: 'attribute_not_exists(pk) OR mergeId = :merge',
          ExpressionAttributeValues: { ':merge': record.mergeId },
        },
      },
      onConditionFailed: () => inProgress(contactId),
    });
    const unchanged = (contactId: string, version: number): GuardedWrite => ({
      item: {
        ConditionCheck: {
          TableName: this.store.tableName,
          Key: keys.contact(contactId),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': version },
        },
      },
      onConditionFailed: () => new ConflictError('The contacts changed while the merge started; retry the request.'),
    });
    await transactWrite(this.store, [
      {
        item: {
          Put: {
            TableName: this.store.tableName,
            Item: { ...keys.merge(record.loserId), entityType: ITEM_TYPES.merge, ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => inProgress(record.loserId),
      },
      lock(record.survivorId),
      lock(record.loserId),
      unchanged(record.survivorId, versions.survivor),
      unchanged(record.loserId, versions.loser),
    ]);
  }

  /** The write that moves a merge from `from` to `to`, to join another transaction. */
  stepWrite(loserId: string, from: MergeStep, to: MergeStep): GuardedWrite {
    return {
      item: {
        Update: {
          TableName: this.store.tableName,
          Key: keys.merge(loserId),
          UpdateExpression: 'SET step = :to',
          ConditionExpression: 'step = :from',
          ExpressionAttributeValues: { ':from': from, ':to': to },
        },
      },
      onConditionFailed: () => new ConflictError('The merge moved on in another request; retry to see its result.'),
    };
  }

  async markCompleted(loserId: string, participant: string): Promise<void> {
    await this.store.db
      .send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.merge(loserId),
          UpdateExpression: 'SET completed = list_append(completed, :p)',
          ConditionExpression: 'NOT contains(completed, :name)',
          ExpressionAttributeValues: { ':p': [participant], ':name': participant },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /** Ends a merge: the record says done and both locks are released, in one transaction. */
  async finish(record: MergeRecord, now: string): Promise<void> {
    const release = (contactId: string): GuardedWrite => ({
      item: {
        Delete: {
          TableName: this.store.tableName,
          Key: keys.mergeLock(contactId),
          ConditionExpression: 'attribute_not_exists(pk) OR mergeId = :merge',
          ExpressionAttributeValues: { ':merge': record.mergeId },
        },
      },
    });
    await transactWrite(this.store, [
      {
        item: {
          Update: {
            TableName: this.store.tableName,
            Key: keys.merge(record.loserId),
            UpdateExpression: 'SET step = :done, finishedAt = :now',
            ExpressionAttributeValues: { ':done': 'done', ':now': now },
          },
        },
      },
      release(record.survivorId),
      release(record.loserId),
    ]);
  }
}

/**
 * Moves the items of a contact's partition whose sort key starts with `prefix` to another
 * contact's partition, in transactions of LIMITS.mergeMoveBatchSize items. Each move is
 * "put under the survivor unless it already has that item, then delete under the loser", so a
 * crash anywhere leaves every item in at least one partition and a rerun finishes the job.
 * `rewrite` adjusts an item on its way (e.g. `contactId`, GSI keys that name the contact).
 */
export async function moveContactItems(
  store: Store,
  move: {
    from: string;
    to: string;
    prefix: string;
    rewrite?: (item: Record<string, unknown>) => Record<string, unknown>;
    /** Sort keys never moved (the profile). */
    except?: readonly string[];
  },
): Promise<number> {
  const except = new Set(move.except ?? []);
  const rewrite = move.rewrite ?? ((item) => (item.contactId === move.from ? { ...item, contactId: move.to } : item));
  let moved = 0;
  for (;;) {
    const { Items = [] } = await store.db.send(
      new QueryCommand({
        TableName: store.tableName,
        // An empty prefix (the final sweep) is not a valid key condition: read the whole partition.
        KeyConditionExpression: move.prefix === '' ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.contactPartition(move.from),
          ...(move.prefix === '' ? {} : { ':prefix': move.prefix }),
        },
        Limit: LIMITS.mergeMoveBatchSize + except.size,
        ConsistentRead: true,
      }),
    );
    const batch = Items.filter((item) => !except.has(item.sk as string)).slice(0, LIMITS.mergeMoveBatchSize);
    if (batch.length === 0) return moved;
    const moves = batch.map((item) => ({
      put: { ...rewrite(item), pk: keys.contactPartition(move.to) },
      from: { pk: item.pk as string, sk: item.sk as string },
    }));
    try {
      await transactWrite(
        store,
        moves.flatMap(({ put, from }) => [
          { item: { Put: { TableName: store.tableName, Item: put, ConditionExpression: 'attribute_not_exists(pk)' } } },
          { item: { Delete: { TableName: store.tableName, Key: from } } },
        ]),
      );
    } catch {
      // Some item is already under the survivor (a rerun, or both had it): move one by one, keeping the survivor's.
      for (const { put, from } of moves) {
        await store.db
          .send(new PutCommand({ TableName: store.tableName, Item: put, ConditionExpression: 'attribute_not_exists(pk)' }))
          .catch((error: unknown) => {
            if (!isConditionFailure(error)) throw error;
          });
        await store.db.send(new DeleteCommand({ TableName: store.tableName, Key: from }));
      }
    }
    moved += batch.length;
  }
}
