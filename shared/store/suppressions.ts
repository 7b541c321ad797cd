import { createHash } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
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

  async suppress(identities: readonly string[], reason: string): Promise<void> {
    const at = this.clock.now().toISOString();
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
