import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import { ITEM_TYPES, keys, type Key } from './keys.ts';
import type { Store } from './client.ts';

/**
 * People who asked to be forgotten: their normalized emails and phones, hashed, so imports do
 * not bring them back. GDPR erasure adds to it; imports read it (unless `allowSuppressed`).
 */
export class SuppressionRepository {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The key of an identity value (`email:ada@example.com`, `phone:+4420…`) on the list. */
  static keyOf(identity: string): Key {
    return keys.suppression(createHash('sha256').update(identity).digest('hex'));
  }

  /**
   * Whether anyone is on the list at all: an import reads this once per invocation and skips
   * the per-row look-ups while nobody was ever erased.
   */
  async any(): Promise<boolean> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.suppressionInUse(), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  async suppress(identities: readonly string[], reason: string): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.store.db.send(
      new PutCommand({
        TableName: this.store.tableName,
        Item: { ...keys.suppressionInUse(), entityType: ITEM_TYPES.suppression, since: at },
      }),
    );
    for (const identity of identities) {
      await this.store.db.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...SuppressionRepository.keyOf(identity), entityType: ITEM_TYPES.suppression, reason, suppressedAt: at },
        }),
      );
    }
  }
}
