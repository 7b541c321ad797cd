import { ConflictError } from '../domain/errors.ts';
import type { GuardedWrite } from './transact.ts';
import type { ItemType, Key } from './keys.ts';

/**
 * A claim makes one value (a primary email, an external id, a domain) belong to one owner.
 * Claiming is idempotent for the owner and a 409 naming the current owner for anyone else.
 */
export function claimPut(
  tableName: string,
  key: Key,
  type: ItemType,
  ownerId: string,
  conflict: { message: string; path: string },
  now: string,
): GuardedWrite {
  return {
    item: {
      Put: {
        TableName: tableName,
        Item: { ...key, entityType: type, ownerId, claimedAt: now },
        ConditionExpression: 'attribute_not_exists(pk) OR ownerId = :owner',
        ExpressionAttributeValues: { ':owner': ownerId },
      },
    },
    onConditionFailed: (existing) => new ConflictError(conflict.message, existing?.ownerId as string | undefined, conflict.path),
  };
}

/** Releases a claim the owner holds; never someone else's. */
export function claimDelete(tableName: string, key: Key, ownerId: string): GuardedWrite {
  return {
    item: {
      Delete: {
        TableName: tableName,
        Key: key,
        ConditionExpression: 'attribute_not_exists(pk) OR ownerId = :owner',
        ExpressionAttributeValues: { ':owner': ownerId },
      },
    },
    onConditionFailed: () => new ConflictError('A unique value changed hands during this write; retry the request.'),
  };
}

/** What changes between the claims a record holds and the ones it should hold. */
export function diffClaims(before: ReadonlyMap<string, Key>, after: ReadonlyMap<string, Key>): { added: Key[]; removed: Key[] } {
  return {
    added: [...after].filter(([id]) => !before.has(id)).map(([, key]) => key),
    removed: [...before].filter(([id]) => !after.has(id)).map(([, key]) => key),
  };
}

/** Claims a value for `to` when it is free, already `to`'s, or held by `from` (a merge's loser). */
export function claimTransfer(
  tableName: string,
  key: Key,
  type: ItemType,
  from: string,
  to: string,
  conflict: { message: string; path: string },
  now: string,
): GuardedWrite {
  return {
    item: {
      Put: {
        TableName: tableName,
        Item: { ...key, entityType: type, ownerId: to, claimedAt: now },
        ConditionExpression: 'attribute_not_exists(pk) OR ownerId = :to OR ownerId = :from',
        ExpressionAttributeValues: { ':to': to, ':from': from },
      },
    },
    onConditionFailed: (existing) => new ConflictError(conflict.message, existing?.ownerId as string | undefined, conflict.path),
  };
}
