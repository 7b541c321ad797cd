import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../domain/limits.ts';
import type { Key } from './keys.ts';
import type { Store } from './client.ts';

export function keyId(key: Key): string {
  return `${key.pk}\n${key.sk}`;
}

/**
 * Reads many items by key, 100 per BatchGetItem, retrying unprocessed keys. Returns the items
 * found, by `keyId`; missing keys are simply absent.
 */
export async function getItems(store: Store, wanted: readonly Key[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Map(wanted.map((key) => [keyId(key), key])).values()];
  const batches: Key[][] = [];
  for (let i = 0; i < unique.length; i += LIMITS.maxBatchGetKeys) batches.push(unique.slice(i, i + LIMITS.maxBatchGetKeys));
  await Promise.all(
    batches.map(async (batch) => {
      let pending: Record<string, unknown>[] = batch.map((key) => ({ pk: key.pk, sk: key.sk }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const result = await store.db.send(
          new BatchGetCommand({ RequestItems: { [store.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[store.tableName] ?? []) found.set(keyId(item as Key), item);
        pending = (result.UnprocessedKeys?.[store.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }),
  );
  return found;
}
