import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from './table.ts';
import { entityOf } from './items.ts';
import type { Store } from './client.ts';

/**
 * Every item of the given entity types, read by a parallel Scan (one worker per segment).
 * For whole-table passes (the dedup audit); never on a request path.
 */
export async function scanEntities(
  store: Store,
  entityTypes: readonly string[],
  onItem: (entityType: string, entity: Record<string, unknown>) => void,
  segments = 4,
): Promise<{ scanned: number }> {
  let scanned = 0;
  const names = entityTypes.map((_, i) => `:t${i}`);
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await store.db.send(
          new ScanCommand({
            TableName: store.tableName,
            Segment: segment,
            TotalSegments: segments,
            FilterExpression: `#type IN (${names.join(', ')})`,
            ExpressionAttributeNames: { '#type': TABLE.typeAttribute },
            ExpressionAttributeValues: Object.fromEntries(entityTypes.map((type, i) => [`:t${i}`, type])),
            ExclusiveStartKey: startKey,
          }),
        );
        scanned += page.ScannedCount ?? 0;
        for (const item of page.Items ?? []) onItem(item[TABLE.typeAttribute] as string, entityOf(item));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }),
  );
  return { scanned };
}
