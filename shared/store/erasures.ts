import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors.ts';
import type { ErasureRecord } from '../domain/erasure.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { entityOf } from './items.ts';
import { queryPage } from './pages.ts';
import { transactWrite, type GuardedWrite } from './transact.ts';
import type { Store } from './client.ts';

/** The merge lock an erasure holds on each of the person's contacts: no merge moves them meanwhile. */
export function erasureLockOwner(personId: string): string {
  return `erasure:${personId}`;
}

/**
 * Erasure records (`ERASURE#<person id>`): the checkpoint of a running erasure, so a crashed one
 * finishes on retry, and afterwards the proof that it ran. They hold ids and salted hashes only.
 */
export class ErasureRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async get(personId: string): Promise<ErasureRecord | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.erasure(personId), ConsistentRead: true }),
    );
    return Item ? entityOf<ErasureRecord>(Item) : undefined;
  }

  /**
   * Starts an erasure: its record, and the merge lock of each of the person's contacts, only
   * while no merge holds one. A merge that starts later finds the locks and answers 409.
   */
  async begin(record: ErasureRecord): Promise<void> {
    const owner = erasureLockOwner(record.id);
    const locks: GuardedWrite[] = record.contactIds.map((contactId) => ({
      item: {
        Put: {
          TableName: this.store.tableName,
          Item: { ...keys.mergeLock(contactId), entityType: ITEM_TYPES.mergeLock, mergeId: owner, contactId },
          ConditionExpression: 'attribute_not_exists(pk) OR mergeId = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        },
      },
      onConditionFailed: () =>
        new ConflictError(`A merge involving contact ${contactId} is in progress; erase once it has finished.`, contactId),
    }));
    await transactWrite(this.store, [
      {
        item: {
          Put: {
            TableName: this.store.tableName,
            Item: {
              ...keys.erasure(record.id),
              ...keys.erasureList(record.startedAt, record.id),
              entityType: ITEM_TYPES.erasure,
              ...record,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () =>
          new ConflictError(`An erasure of contact ${record.id} has started already; retry it.`, record.id),
      },
      ...locks,
    ]);
  }

  /** Records that a store's part is done, with what it erased; repeating it changes nothing. */
  async markCompleted(personId: string, participant: string, erased: number): Promise<void> {
    await this.store.db
      .send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.erasure(personId),
          UpdateExpression: 'SET completed = list_append(completed, :p), erased.#name = :n',
          ConditionExpression: 'NOT contains(completed, :name)',
          ExpressionAttributeNames: { '#name': participant },
          ExpressionAttributeValues: { ':p': [participant], ':name': participant, ':n': erased },
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  /** Ends the erasure: the record says done and the merge locks are released, in one transaction. */
  async finish(record: ErasureRecord, at: string): Promise<void> {
    const owner = erasureLockOwner(record.id);
    await transactWrite(this.store, [
      {
        item: {
          Update: {
            TableName: this.store.tableName,
            Key: keys.erasure(record.id),
            UpdateExpression: 'SET #status = :done, finishedAt = :at',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':done': 'done', ':at': at },
          },
        },
      },
      ...record.contactIds.map((contactId): GuardedWrite => ({
        item: {
          Delete: {
            TableName: this.store.tableName,
            Key: keys.mergeLock(contactId),
            ConditionExpression: 'attribute_not_exists(pk) OR mergeId = :owner',
            ExpressionAttributeValues: { ':owner': owner },
          },
        },
      })),
    ]);
  }

  /** Erasures that started at or after `at`, oldest first: what a job worker must scrub from its files. */
  async startedSince(at: string): Promise<ErasureRecord[]> {
    const found: ErasureRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await queryPage<ErasureRecord>(this.store, {
        index: 'gsi1',
        partition: keys.erasureListPartition(),
        limit: 100,
        cursor,
        filter: {
          FilterExpression: 'startedAt >= :at',
          ExpressionAttributeValues: { ':at': at },
        },
      });
      found.push(...page.results);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return found;
  }
}
