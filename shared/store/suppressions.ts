import { createHmac } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import type { SecretSource } from '../secrets/salt.ts';
import { ITEM_TYPES, keys, type Key } from './keys.ts';
import { getItems, keyId } from './lookups.ts';
import type { Store } from './client.ts';

/**
 * People who asked to be forgotten: their normalized emails, phones and external ids, each kept
 * only as an HMAC-SHA256 under the deployment's secret salt, so imports and the create API do
 * not bring them back, and nobody holding the table alone can test whether someone is on it.
 * GDPR erasure adds to it; imports and creates read it (unless `allowSuppressed`).
 */
export class SuppressionRepository {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly salt: SecretSource;

  constructor(store: Store, clock: Clock, salt: SecretSource) {
    this.store = store;
    this.clock = clock;
    this.salt = salt;
  }

  /** The salted hashes of identity values (`email:ada@example.com`, `phone:+4420…`, `ext:crm:42`). */
  async hashesOf(identities: readonly string[]): Promise<string[]> {
    const salt = await this.salt();
    return identities.map((identity) => createHmac('sha256', salt).update(identity).digest('hex'));
  }

  /** The list's keys of identity values, in the same order. */
  async keysOf(identities: readonly string[]): Promise<Key[]> {
    return (await this.hashesOf(identities)).map((hash) => keys.suppression(hash));
  }

  /**
   * Whether anyone is on the list at all: an import reads this once per chunk and skips the
   * per-row look-ups while nobody was ever erased.
   */
  async any(): Promise<boolean> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.suppressionInUse(), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  /** Which of these identity values are on the list. */
  async suppressed(identities: readonly string[]): Promise<Set<string>> {
    if (identities.length === 0 || !(await this.any())) return new Set();
    const wanted = await this.keysOf(identities);
    const found = await getItems(this.store, wanted);
    return new Set(identities.filter((_, i) => found.has(keyId(wanted[i]!))));
  }

  async suppress(identities: readonly string[], reason: string): Promise<void> {
    await this.suppressHashes(await this.hashesOf(identities), reason);
  }

  /** Adds hashes computed earlier (an erasure keeps only these, never the values). */
  async suppressHashes(hashes: readonly string[], reason: string): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.store.db
      .send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.suppressionInUse(), entityType: ITEM_TYPES.suppression, since: at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch(ignoreConditionFailure);
    await Promise.all(
      hashes.map((hash) =>
        this.store.db.send(
          new PutCommand({
            TableName: this.store.tableName,
            Item: { ...keys.suppression(hash), entityType: ITEM_TYPES.suppression, reason, suppressedAt: at },
          }),
        ),
      ),
    );
  }
}

function ignoreConditionFailure(error: unknown): void {
  if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
}
