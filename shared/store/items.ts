import { TABLE } from './table.ts';

const KEY_ATTRIBUTES = new Set<string>([
  TABLE.partitionKey,
  TABLE.sortKey,
  TABLE.typeAttribute,
  TABLE.ttlAttribute,
  ...Object.values(TABLE.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
]);

/** The entity an item carries, without the table's key and bookkeeping attributes. */
export function entityOf<T>(item: Record<string, unknown>): T {
  const entity: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(name)) entity[name] = value;
  return entity as T;
}

export function isKeyAttribute(name: string): boolean {
  return KEY_ATTRIBUTES.has(name);
}
