import { PutCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../domain/limits.ts';
import { ITEM_TYPES, keys, type DueQueue } from './keys.ts';
import { isConditionFailure } from './transact.ts';
import type { Store } from './client.ts';

/**
 * One sparse "due" index on GSI2 (task reminders, webhook retries): items wait under
 * `<queue>#<minute>#<shard>` sorted by `<dueAt>#<id>` until their owner removes the key, and a
 * checkpoint records the newest minute a sweep has finished, so the next sweep starts there.
 */
export class DueIndex {
  private readonly store: Store;
  readonly queue: DueQueue;
  readonly shards: number;

  constructor(store: Store, queue: DueQueue, shards: number) {
    this.store = store;
    this.queue = queue;
    this.shards = shards;
  }

  /**
   * Hands every item of `minute` due at or before `upTo` to `handle`, page by page, the shards
   * in parallel and LIMITS.dueWorkersPerShard items of a page at a time. `attributes` names what `handle` needs, so a busy minute stays cheap to read.
   */
  async forEachDue(
    minute: string,
    upTo: string,
    attributes: readonly string[],
    handle: (item: Record<string, unknown>) => Promise<void>,
  ): Promise<void> {
    const names = Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name]));
    await Promise.all(
      Array.from({ length: this.shards }, async (_, shard) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const result = await this.store.db.send(
            new QueryCommand({
              TableName: this.store.tableName,
              IndexName: 'gsi2',
              KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :upTo',
              ExpressionAttributeValues: { ':pk': keys.duePartition(this.queue, minute, shard), ':upTo': keys.dueUpTo(upTo) },
              ProjectionExpression: Object.keys(names).join(', '),
              ExpressionAttributeNames: names,
              ExclusiveStartKey: startKey,
            }),
          );
          const items = result.Items ?? [];
          let next = 0;
          const worker = async () => {
            while (next < items.length) await handle(items[next++]!);
          };
          await Promise.all(Array.from({ length: Math.min(LIMITS.dueWorkersPerShard, items.length) }, worker));
          startKey = result.LastEvaluatedKey;
        } while (startKey);
      }),
    );
  }

  async checkpoint(): Promise<string | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.sweepCheckpoint(this.queue), ConsistentRead: true }),
    );
    return Item?.through as string | undefined;
  }

  /** Moves the checkpoint forward to `through`; a concurrent sweep that got further wins. */
  async advance(through: string, at: string): Promise<void> {
    try {
      await this.store.db.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.sweepCheckpoint(this.queue), entityType: ITEM_TYPES.sweepCheckpoint, through, updatedAt: at },
          ConditionExpression: 'attribute_not_exists(through) OR through < :through',
          ExpressionAttributeValues: { ':through': through },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
