import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../domain/limits.ts';
import type { Clock } from '../domain/clock.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { isConditionFailure } from './transact.ts';
import type { Store } from './client.ts';

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyClaim =
  { state: 'new' } | { state: 'completed'; response: StoredResponse } | { state: 'in_progress' } | { state: 'mismatch' };

/** How long a request may hold its key before a retry may assume it crashed. */
const LOCK_MS = 60_000;

/**
 * Idempotency-Key records, Stripe-style: the first request with a key runs, later ones with
 * the same key and body get its stored response, and the same key with another body is refused.
 * Records expire through the table's TTL; the translator of the change stream ignores them.
 */
export class IdempotencyRepository {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  async begin(scope: string, idempotencyKey: string, requestHash: string): Promise<IdempotencyClaim> {
    const now = this.clock.now().getTime();
    const key = keys.idempotency(scope, idempotencyKey);
    try {
      await this.store.db.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: {
            ...key,
            entityType: ITEM_TYPES.idempotency,
            status: 'in_progress',
            requestHash,
            lockedUntil: now + LOCK_MS,
            expiresAt: Math.floor(now / 1000) + LIMITS.idempotencyTtlSeconds,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockedUntil < :now AND requestHash = :hash)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':nowSeconds': Math.floor(now / 1000),
            ':now': now,
            ':inProgress': 'in_progress',
            ':hash': requestHash,
          },
        }),
      );
      return { state: 'new' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: key, ConsistentRead: true }),
    );
    if (!Item) return this.begin(scope, idempotencyKey, requestHash);
    if (Item.requestHash !== requestHash) return { state: 'mismatch' };
    if (Item.status === 'completed') return { state: 'completed', response: Item.response as StoredResponse };
    return { state: 'in_progress' };
  }

  /**
   * Stores the response for replays. `contactIds` name the contacts whose data it carries: a
   * reference beside each (same expiry) lets erasing the person find and delete this record.
   */
  async complete(
    scope: string,
    idempotencyKey: string,
    response: StoredResponse,
    contactIds: readonly string[] = [],
  ): Promise<void> {
    const record = keys.idempotency(scope, idempotencyKey);
    const expiresAt = Math.floor(this.clock.now().getTime() / 1000) + LIMITS.idempotencyTtlSeconds;
    // References first: a crash in between leaves a reference to nothing, never a record nobody can find.
    await Promise.all(
      [...new Set(contactIds)].map((contactId) =>
        this.store.db.send(
          new PutCommand({
            TableName: this.store.tableName,
            Item: {
              ...keys.idempotencyRef(contactId, record),
              entityType: ITEM_TYPES.idempotencyRef,
              contactId,
              record,
              expiresAt,
            },
          }),
        ),
      ),
    );
    await this.store.db.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: keys.idempotency(scope, idempotencyKey),
        UpdateExpression: 'SET #status = :completed, #response = :response REMOVE lockedUntil',
        ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
        ExpressionAttributeValues: { ':completed': 'completed', ':response': response },
      }),
    );
  }

  /** Frees the key after a failure the client may retry (5xx), so the retry can run. */
  async release(scope: string, idempotencyKey: string): Promise<void> {
    await this.store.db.send(
      new DeleteCommand({ TableName: this.store.tableName, Key: keys.idempotency(scope, idempotencyKey) }),
    );
  }
}
