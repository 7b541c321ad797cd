import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { freshServices } from '../helpers/store.ts';
import type { Services } from '../../shared/app/services.ts';
import { ConflictError, ValidationError, VersionMismatchError } from '../../shared/domain/errors.ts';
import { keys } from '../../shared/store/keys.ts';

let services: Services;
beforeAll(async () => {
  services = await freshServices();
});

async function claimOwner(key: { pk: string; sk: string }) {
  const { Item } = await services.store.db.send(new GetCommand({ TableName: services.store.tableName, Key: key }));
  return Item?.ownerId as string | undefined;
}

describe('contacts on DynamoDB Local', () => {
  it('claims the primary email in the same transaction as the profile', async () => {
    const ada = await services.contacts.create({ firstName: 'Ada', emails: [{ address: 'ada@claims.test' }] }, 'test');
    expect(await claimOwner(keys.emailClaim('ada@claims.test'))).toBe(ada.id);
    const attempt = services.contacts.create({ firstName: 'Other', emails: [{ address: 'ADA@claims.test' }] }, 'test');
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ existingId: ada.id });
  });

  it('writes nothing when a claim fails', async () => {
    await services.contacts.create({ firstName: 'First', externalIds: { salesforce: '003A' } }, 'test');
    const before = await services.contacts.list('active', { limit: 100 });
    await expect(
      services.contacts.create(
        { firstName: 'Second', emails: [{ address: 'second@claims.test' }], externalIds: { salesforce: '003A' } },
        'test',
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await claimOwner(keys.emailClaim('second@claims.test'))).toBeUndefined();
    expect((await services.contacts.list('active', { limit: 100 })).results).toHaveLength(before.results.length);
  });

  it('moves the email claim when the primary email changes', async () => {
    const c = await services.contacts.create({ firstName: 'Mover', emails: [{ address: 'old@claims.test' }] }, 'test');
    const updated = await services.contacts.update(c.id, { emails: [{ address: 'new@claims.test' }] }, 'test');
    expect(updated.version).toBe(2);
    expect(await claimOwner(keys.emailClaim('old@claims.test'))).toBeUndefined();
    expect(await claimOwner(keys.emailClaim('new@claims.test'))).toBe(c.id);
    const reuse = await services.contacts.create({ firstName: 'Reuser', emails: [{ address: 'old@claims.test' }] }, 'test');
    expect(await claimOwner(keys.emailClaim('old@claims.test'))).toBe(reuse.id);
  });

  it('lets exactly one of two writers of the same version win', async () => {
    const c = await services.contacts.create({ firstName: 'Race' }, 'test');
    const current = await services.contacts.repository.require(c.id);
    const rules = await services.contacts.rules();
    const { normalizeContact } = await import('../../shared/domain/contact.ts');
    const results = await Promise.allSettled([
      services.contacts.repository.replace(current, normalizeContact({ firstName: 'A' }, rules), 'one'),
      services.contacts.repository.replace(current, normalizeContact({ firstName: 'B' }, rules), 'two'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(VersionMismatchError);
    expect((await services.contacts.repository.require(c.id)).version).toBe(2);
  });

  it('re-applies a patch without If-Match after a concurrent write, and refuses a stale If-Match', async () => {
    const c = await services.contacts.create({ firstName: 'Patchy' }, 'test');
    const patched = await Promise.all(
      Array.from({ length: 4 }, (_, i) => services.contacts.tag(c.id, { add: [`t${i}`] }, 'test')),
    );
    const final = await services.contacts.get(c.id);
    expect(final.tags.sort()).toEqual(['t0', 't1', 't2', 't3']);
    expect(final.version).toBe(5);
    expect(patched).toHaveLength(4);
    await expect(services.contacts.update(c.id, { lastName: 'X' }, 'test', 1)).rejects.toBeInstanceOf(VersionMismatchError);
  });

  it('keeps the company membership in step with companyId', async () => {
    const acme = await services.companies.create({ name: 'Acme', domain: 'acme.test' }, 'test');
    const globex = await services.companies.create({ name: 'Globex' }, 'test');
    const c = await services.contacts.create({ firstName: 'Member', companyId: acme.id }, 'test');
    expect((await services.companies.contactsOf(acme.id, { limit: 10 })).results.map((x) => x.id)).toEqual([c.id]);
    await services.contacts.update(c.id, { companyId: globex.id }, 'test');
    expect((await services.companies.contactsOf(acme.id, { limit: 10 })).results).toEqual([]);
    expect((await services.companies.contactsOf(globex.id, { limit: 10 })).results.map((x) => x.id)).toEqual([c.id]);
    await expect(services.contacts.update(c.id, { companyId: '01J00000000000000000000000' }, 'test')).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('gives each company domain to one company', async () => {
    const first = await services.companies.create({ name: 'Initech', domain: 'https://www.initech.test' }, 'test');
    expect(first.domain).toBe('initech.test');
    await expect(services.companies.create({ name: 'Copy', domain: 'initech.test' }, 'test')).rejects.toMatchObject({
      existingId: first.id,
    });
  });

  it('pages newest first without gaps or repeats', async () => {
    const isolated = await freshServices();
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await isolated.contacts.create({ firstName: `P${i}` }, 'test'));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await isolated.contacts.list('active', { limit: 3, cursor });
      seen.push(...page.results.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(created.map((c) => c.id).reverse());
  });

  it('moves archived contacts to the archived list and back', async () => {
    const isolated = await freshServices();
    const c = await isolated.contacts.create({ firstName: 'Archie' }, 'test');
    await isolated.contacts.archive(c.id, 'test');
    expect((await isolated.contacts.list('active', { limit: 10 })).results).toEqual([]);
    expect((await isolated.contacts.list('archived', { limit: 10 })).results.map((x) => x.id)).toEqual([c.id]);
    await isolated.contacts.restore(c.id, 'test');
    expect((await isolated.contacts.list('active', { limit: 10 })).results.map((x) => x.id)).toEqual([c.id]);
  });
});
