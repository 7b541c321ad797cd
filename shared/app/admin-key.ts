import { ConflictError } from '../domain/errors.ts';
import { generateApiKeySecret, type ApiKey } from '../domain/api-keys.ts';
import { LIMITS } from '../domain/limits.ts';
import type { ApiKeyRepository } from '../store/api-keys.ts';

/** Who the first key is created by, in its `createdBy`. */
export const BOOTSTRAP_ACTOR = 'system:bootstrap';

/**
 * The first admin key of a fresh deployment, for whoever holds AWS credentials on its table.
 * It refuses once an active admin key exists: from then on admins create keys over the API,
 * where every key has an author, so this path cannot be used to mint keys quietly.
 */
export async function createFirstAdminKey(apiKeys: ApiKeyRepository, name: string): Promise<{ secret: string; key: ApiKey }> {
  if (await hasActiveAdminKey(apiKeys)) {
    throw new ConflictError('An active admin key already exists: create further keys with POST /v1/api-keys.');
  }
  const secret = generateApiKeySecret();
  const key = await apiKeys.register(secret, { name, role: 'admin' }, BOOTSTRAP_ACTOR);
  return { secret, key };
}

async function hasActiveAdminKey(apiKeys: ApiKeyRepository): Promise<boolean> {
  let cursor: string | undefined;
  do {
    const page = await apiKeys.list({ limit: LIMITS.maxPageSize, cursor });
    if (page.results.some((key) => key.role === 'admin' && !key.revokedAt)) return true;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return false;
}
