import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../domain/errors.ts';
import type { Clock } from '../domain/clock.ts';
import type { EntityMeta } from '../domain/entity.ts';
import { entityOf } from './items.ts';
import type { Key } from './keys.ts';
import type { Store } from './client.ts';

/** One entity item by key, read-your-writes consistent unless told otherwise. */
export async function readEntity<T>(store: Store, key: Key, options: { consistent?: boolean } = {}): Promise<T | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: key, ConsistentRead: options.consistent ?? true }),
  );
  return Item ? entityOf<T>(Item) : undefined;
}

/** Like readEntity, but a missing item is the 404 of `entity` `id`. */
export async function requireEntity<T>(store: Store, key: Key, entity: string, id: string): Promise<T> {
  const found = await readEntity<T>(store, key);
  if (!found) throw new NotFoundError(entity, id);
  return found;
}

/** The bookkeeping of a new entity: version 1, created and updated now by `actor`. */
export function firstVersion(clock: Clock, actor: string, id: string): EntityMeta {
  const now = clock.now().toISOString();
  return { id, version: 1, createdAt: now, updatedAt: now, createdBy: actor, updatedBy: actor };
}

/** The bookkeeping of the next version of `current`: same identity and creation, one version up. */
export function nextVersion(current: EntityMeta, clock: Clock, actor: string): EntityMeta {
  return {
    id: current.id,
    version: current.version + 1,
    createdAt: current.createdAt,
    updatedAt: clock.now().toISOString(),
    ...(current.createdBy ? { createdBy: current.createdBy } : {}),
    updatedBy: actor,
  };
}
