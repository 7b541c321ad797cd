import { beforeAll, describe, expect, it } from 'vitest';
import { freshServices } from '../helpers/store.ts';
import type { Services } from '../../shared/app/services.ts';
import { generateApiKeySecret } from '../../shared/domain/api-keys.ts';
import { ConflictError } from '../../shared/domain/errors.ts';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';

let services: Services;
beforeAll(async () => {
  services = await freshServices();
});

describe('API keys', () => {
  it('stores only the hash of the secret', async () => {
    const secret = generateApiKeySecret();
    const key = await services.apiKeys.register(secret, { name: 'ci', role: 'member' }, 'test');
    const { Items } = await services.store.db.send(new ScanCommand({ TableName: services.store.tableName }));
    expect(JSON.stringify(Items)).not.toContain(secret);
    expect((await services.apiKeys.findBySecret(secret))?.id).toBe(key.id);
  });

  it('registers the same secret once', async () => {
    const secret = generateApiKeySecret();
    const first = await services.apiKeys.register(secret, { name: 'a', role: 'admin' }, 'test');
    const second = await services.apiKeys.register(secret, { name: 'b', role: 'admin' }, 'test');
    expect(second.id).toBe(first.id);
  });

  it('revokes by id', async () => {
    const secret = generateApiKeySecret();
    const key = await services.apiKeys.register(secret, { name: 'gone', role: 'viewer' }, 'test');
    await services.apiKeys.revoke(key.id);
    expect((await services.apiKeys.findBySecret(secret))?.revokedAt).toBeDefined();
  });
});

describe('Idempotency-Key records', () => {
  it('runs the first request, replays the stored response, and refuses another body', async () => {
    expect(await services.idempotency.begin('p', 'k1', 'hash-a')).toEqual({ state: 'new' });
    expect(await services.idempotency.begin('p', 'k1', 'hash-a')).toEqual({ state: 'in_progress' });
    await services.idempotency.complete('p', 'k1', { statusCode: 201, headers: { etag: '"1"' }, body: '{}' });
    expect(await services.idempotency.begin('p', 'k1', 'hash-a')).toEqual({
      state: 'completed',
      response: { statusCode: 201, headers: { etag: '"1"' }, body: '{}' },
    });
    expect(await services.idempotency.begin('p', 'k1', 'hash-b')).toEqual({ state: 'mismatch' });
    expect(await services.idempotency.begin('other-principal', 'k1', 'hash-b')).toEqual({ state: 'new' });
  });
});

describe('custom field definitions', () => {
  it('refuses a second definition with the same key and forgets cached definitions on write', async () => {
    await services.fields.all();
    await services.fields.create({ key: 'tier', label: 'Tier', type: 'enum', options: ['gold'], required: false }, 'test');
    expect((await services.fields.all()).has('tier')).toBe(true);
    await expect(
      services.fields.create({ key: 'tier', label: 'Again', type: 'text', required: false }, 'test'),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});
