import { beforeEach, describe, expect, it } from 'vitest';
import { createFirstAdminKey, BOOTSTRAP_ACTOR } from '../../shared/app/admin-key.ts';
import { ConflictError } from '../../shared/domain/errors.ts';
import { isApiKeySecret } from '../../shared/domain/api-keys.ts';
import type { Services } from '../../shared/app/services.ts';
import { freshServices } from '../helpers/store.ts';

describe('the first admin key of a deployment', () => {
  let services: Services;
  beforeEach(async () => {
    services = await freshServices();
  });

  it('is an admin key that authenticates, stored only as its hash', async () => {
    const { secret, key } = await createFirstAdminKey(services.apiKeys, 'first admin');
    expect(isApiKeySecret(secret)).toBe(true);
    expect(key).toMatchObject({ role: 'admin', name: 'first admin', createdBy: BOOTSTRAP_ACTOR });
    expect(await services.apiKeys.findBySecret(secret)).toMatchObject({ id: key.id, role: 'admin' });
    expect(JSON.stringify(await services.apiKeys.list({ limit: 10 }))).not.toContain(secret);
  });

  it('is refused once an active admin key exists', async () => {
    await createFirstAdminKey(services.apiKeys, 'first admin');
    await expect(createFirstAdminKey(services.apiKeys, 'second')).rejects.toBeInstanceOf(ConflictError);
  });

  it('can be created again when every admin key was revoked (lost keys)', async () => {
    const { key } = await createFirstAdminKey(services.apiKeys, 'first admin');
    await services.apiKeys.revoke(key.id);
    await expect(createFirstAdminKey(services.apiKeys, 'replacement')).resolves.toMatchObject({ key: { role: 'admin' } });
  });

  it('is not blocked by keys of lower roles', async () => {
    await services.apiKeys.register(`kith_${'m'.repeat(30)}`, { name: 'a member', role: 'member' }, 'test');
    await expect(createFirstAdminKey(services.apiKeys, 'first admin')).resolves.toMatchObject({ key: { role: 'admin' } });
  });
});
