import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../domain/limits.ts';
import type { Key } from './keys.ts';
import type { Store } from './client.ts';

/**
 * Deletes items by key, 25 per BatchWriteItem with a few in flight, retrying what DynamoDB
 * leaves unprocessed. Unconditional and idempotent: deleting what is gone already is a no-op.
 */
export async function deleteKeys(store: Store, wanted: readonly Key[], concurrency = LIMITS.erasureConcurrency): Promise<void> {
  const unique = [...new Map(wanted.map((key) => [`${key.pk}\n${key.sk}`, key])).values()];
  const batches: Key[][] = [];
  for (let i = 0; i < unique.length; i += LIMITS.maxBatchWriteItems) batches.push(unique.slice(i, i + LIMITS.maxBatchWriteItems));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, batches.length) }, async () => {
      while (next < batches.length) {
        let pending: Record<string, unknown>[] = batches[next++]!.map((key) => ({
          DeleteRequest: { Key: { pk: key.pk, sk: key.sk } },
        }));
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
          const result = await store.db.send(new BatchWriteCommand({ RequestItems: { [store.tableName]: pending as never } }));
          pending = (result.UnprocessedItems?.[store.tableName] ?? []) as Record<string, unknown>[];
        }
      }
    }),
  );
}
