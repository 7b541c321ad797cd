import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../shared/store/client.ts';

/** Where a value was found: the store, the item or file, and the text around it. */
export interface Trace {
  where: string;
  value: string;
  excerpt: string;
}

/** Every occurrence of any of `values` in `text`, case-insensitively. */
export function tracesIn(where: string, text: string, values: readonly string[]): Trace[] {
  const lower = text.toLowerCase();
  return values.flatMap((value) => {
    const at = lower.indexOf(value.toLowerCase());
    return at < 0 ? [] : [{ where, value, excerpt: text.slice(Math.max(0, at - 80), at + value.length + 80) }];
  });
}

/**
 * A full Scan of the table: every attribute (names too) of every item, nested maps and lists
 * walked deeply, compared with the values.
 */
export async function tableTraces(store: Store, values: readonly string[]): Promise<Trace[]> {
  const traces: Trace[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.db.send(
      new ScanCommand({ TableName: store.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      traces.push(...tracesIn(`table ${item.pk} / ${item.sk}`, strings(item).join('\n'), values));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return traces;
}

/** Every string in a value: keys, strings, numbers, deeply. */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'bigint') return [String(value)];
  if (value instanceof Set) return [...value].flatMap(strings);
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value instanceof Uint8Array) return [Buffer.from(value).toString('utf8')];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

/** Every file under a folder, read as UTF-8 (and UTF-16 LE, as imports accept it). */
export async function directoryTraces(root: string, values: readonly string[]): Promise<Trace[]> {
  const traces: Trace[] = [];
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true, recursive: true });
  } catch {
    return traces;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    traces.push(...tracesIn(`file ${path}`, bytes.toString('utf8') + '\n' + bytes.toString('utf16le'), values));
  }
  return traces;
}
