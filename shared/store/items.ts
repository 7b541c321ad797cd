import { TABLE } from './table.ts';

const KEY_ATTRIBUTES = new Set<string>([
  TABLE.partitionKey,
  TABLE.sortKey,
  TABLE.typeAttribute,
  TABLE.ttlAttribute,
  ...Object.values(TABLE.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
]);

const FIRST = ['id', 'version', 'status'];
const LAST = ['createdAt', 'createdBy', 'updatedAt', 'updatedBy'];
const rank = (name: string) =>
  FIRST.includes(name) ? FIRST.indexOf(name) - FIRST.length : LAST.includes(name) ? 1 + LAST.indexOf(name) : 0;

/**
 * The entity an item carries, without the table's key and bookkeeping attributes. DynamoDB returns
 * attributes in no particular order; responses list id/version/status first, fields
 * alphabetically, timestamps last, so the same record always reads the same.
 */
export function entityOf<T>(item: Record<string, unknown>): T {
  const names = Object.keys(item)
    .filter((name) => !KEY_ATTRIBUTES.has(name))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const entity: Record<string, unknown> = {};
  for (const name of names) entity[name] = item[name];
  return entity as T;
}

export function isKeyAttribute(name: string): boolean {
  return KEY_ATTRIBUTES.has(name);
}
