import { VersionMismatchError } from '../domain/errors.ts';
import type { GuardedWrite } from './transact.ts';
import type { Key } from './keys.ts';

/**
 * Put of a whole entity item that succeeds only if the stored version is still `expected`
 * (or, for `expected = 0`, if nothing is stored yet). Every entity write goes through here.
 */
export function versionedPut(
  tableName: string,
  key: Key,
  item: Record<string, unknown> & { version: number },
  expected: number,
  entity: string,
  id: string,
): GuardedWrite {
  const condition =
    expected === 0
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expected } };
  return {
    item: { Put: { TableName: tableName, Item: { ...item, ...key }, ...condition } },
    onConditionFailed: (existing) => new VersionMismatchError(entity, id, existing?.version as number | undefined),
  };
}
