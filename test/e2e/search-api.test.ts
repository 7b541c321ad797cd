import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
const ids: Record<string, string> = {};

/** Waits until the change stream has delivered every write so far, and the index shows it. */
async function indexed() {
  await api.runtime.pipeline.drain();
  await api.runtime.services.search.index.refresh();
}

async function createContact(key: string, body: Record<string, unknown>) {
  const res = await api.request('POST', '/v1/contacts', { body });
  expect(res.status).toBe(201);
  ids[key] = res.body.id;
  await indexed();
}

beforeAll(async () => {
  api = await startTestApi();
  await api.request('POST', '/v1/fields', { body: { key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver'] } });
  await api.request('POST', '/v1/fields', { body: { key: 'contractEnd', label: 'Contract end', type: 'date' } });
  await createContact('jose', {
    firstName: 'José',
    lastName: 'Martínez',
    emails: [{ address: 'jose@ejemplo.es' }],
    tags: ['vip'],
    lifecycleStage: 'customer',
    customFields: { tier: 'gold', contractEnd: '2099-01-31' },
  });
  await createContact('zoe', {
    firstName: 'Zoë',
    lastName: 'Müller',
    phones: [{ number: '+44 20 7123 4567' }],
    tags: ['vip'],
    lifecycleStage: 'lead',
  });
  await createContact('ada', {
    firstName: 'Ada',
    lastName: 'Lovelace',
    lifecycleStage: 'lead',
    customFields: { tier: 'silver' },
  });
});
afterAll(async () => {
  await api?.stop();
});

describe('POST /v1/contacts/search', () => {
  it('finds people by fragments, accents and phone digits in any format', async () => {
    const jose = await api.request('POST', '/v1/contacts/search', { body: { query: 'jose' } });
    expect(jose.status).toBe(200);
    expect(jose.body.results.map((c: { id: string }) => c.id)).toEqual([ids.jose]);
    expect(jose.body.results[0]).toMatchObject({ firstName: 'José', version: 1 });
    const phone = await api.request('POST', '/v1/contacts/search', { body: { query: '020 7123' } });
    expect(phone.body.results.map((c: { id: string }) => c.id)).toEqual([ids.zoe]);
  });

  it('filters on core and custom fields, counts every match and returns facets', async () => {
    const res = await api.request('POST', '/v1/contacts/search', {
      body: {
        filter: {
          and: [
            { field: 'tags', op: 'contains', value: 'vip' },
            { field: 'lifecycleStage', op: 'in', value: ['lead', 'customer'] },
          ],
        },
        sort: [{ field: 'lastName', order: 'asc' }],
        limit: 1,
        facets: ['lifecycleStage', 'customFields.tier'],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.results.map((c: { id: string }) => c.id)).toEqual([ids.jose]);
    expect(res.body.facets.lifecycleStage).toEqual([
      { value: 'customer', count: 1 },
      { value: 'lead', count: 1 },
    ]);
    const next = await api.request('POST', '/v1/contacts/search', {
      body: {
        filter: {
          and: [
            { field: 'tags', op: 'contains', value: 'vip' },
            { field: 'lifecycleStage', op: 'in', value: ['lead', 'customer'] },
          ],
        },
        sort: [{ field: 'lastName', order: 'asc' }],
        limit: 1,
        cursor: res.body.nextCursor,
      },
    });
    expect(next.body.results.map((c: { id: string }) => c.id)).toEqual([ids.zoe]);
    expect(next.body.nextCursor).toBeNull();
  });

  it('answers 422 naming the offending path of an invalid filter', async () => {
    const res = await api.request('POST', '/v1/contacts/search', {
      body: {
        filter: {
          and: [
            { field: 'tags', op: 'contains', value: 'vip' },
            { field: 'tags', op: 'like', value: 'x' },
          ],
        },
      },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['filter.and[1].op']);
  });

  it('answers 422 for an unknown custom field, a range on text, a bad relative date and a list sort', async () => {
    const cases: [unknown, string][] = [
      [{ filter: { field: 'customFields.nope', op: 'eq', value: 1 } }, 'filter.field'],
      [{ filter: { not: { field: 'lastName', op: 'gt', value: 'a' } } }, 'filter.not.op'],
      [{ filter: { field: 'customFields.contractEnd', op: 'lt', value: 'now+30y' } }, 'filter.value'],
      [{ sort: [{ field: 'tags', order: 'asc' }] }, 'sort[0].field'],
      [{ limit: 201 }, 'limit'],
      [{ facets: ['firstName'] }, 'facets[0]'],
    ];
    for (const [body, path] of cases) {
      const res = await api.request('POST', '/v1/contacts/search', { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('is open to viewers', async () => {
    const viewer = await api.keyFor('viewer');
    expect((await api.request('POST', '/v1/contacts/search', { body: {}, key: viewer })).status).toBe(200);
  });

  it('drops an archived contact from results as soon as its event is indexed', async () => {
    await createContact('temp', { firstName: 'Temporary', lastName: 'Person' });
    expect((await api.request('DELETE', `/v1/contacts/${ids.temp}`)).status).toBe(204);
    await indexed();
    const res = await api.request('POST', '/v1/contacts/search', { body: { query: 'temporary' } });
    expect(res.body.results).toEqual([]);
  });
});

describe('/v1/segments', () => {
  let id: string;

  it('saves a filter as a segment (manager and up), and lists its contacts with a total', async () => {
    const member = await api.keyFor('member');
    const body = {
      name: 'VIP customers',
      filter: {
        and: [
          { field: 'tags', op: 'contains', value: 'vip' },
          { field: 'customFields.contractEnd', op: 'gt', value: 'now' },
        ],
      },
    };
    expect((await api.request('POST', '/v1/segments', { body, key: member })).status).toBe(403);
    const created = await api.request('POST', '/v1/segments', { body });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    id = created.body.id;
    expect(created.headers.get('location')).toBe(`/v1/segments/${id}`);
    const contacts = await api.request('GET', `/v1/segments/${id}/contacts`);
    expect(contacts.status).toBe(200);
    expect(contacts.body.total).toBe(1);
    expect(contacts.body.results.map((c: { id: string }) => c.id)).toEqual([ids.jose]);
  });

  it('refuses a segment whose filter names an unknown field (422 with the path)', async () => {
    const res = await api.request('POST', '/v1/segments', {
      body: { name: 'Broken', filter: { or: [{ field: 'shoeSize', op: 'eq', value: 9 }] } },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['filter.or[0].field']);
  });

  it('reads, lists, updates with If-Match and deletes a segment', async () => {
    expect((await api.request('GET', `/v1/segments/${id}`)).body.name).toBe('VIP customers');
    const list = await api.request('GET', '/v1/segments');
    expect(list.body.results.map((s: { id: string }) => s.id)).toContain(id);
    const stale = await api.request('PATCH', `/v1/segments/${id}`, { body: { name: 'x' }, headers: { 'if-match': '"9"' } });
    expect(stale.status).toBe(412);
    const updated = await api.request('PATCH', `/v1/segments/${id}`, {
      body: { name: 'All VIPs', filter: { field: 'tags', op: 'contains', value: 'vip' } },
      headers: { 'if-match': '"1"' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'All VIPs', version: 2 });
    const contacts = await api.request('GET', `/v1/segments/${id}/contacts?sort=-lastName`);
    expect(contacts.body.results.map((c: { id: string }) => c.id)).toEqual([ids.zoe, ids.jose]);
    expect((await api.request('DELETE', `/v1/segments/${id}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/segments/${id}`)).status).toBe(404);
  });
});

describe('POST /v1/admin/reindex', () => {
  it('is for admins only, and rebuilds the index from the table', async () => {
    const manager = await api.keyFor('manager');
    expect((await api.request('POST', '/v1/admin/reindex', { key: manager })).status).toBe(403);
    // A contact the index lost (restored from an old snapshot, say): a newer tombstone hides it…
    const missed = await api.request('POST', '/v1/contacts', { body: { firstName: 'Missed', lastName: 'Event' } });
    await indexed();
    await api.runtime.services.search.index.apply([{ id: missed.body.id, version: Number.MAX_SAFE_INTEGER }]);
    await api.runtime.services.search.index.refresh();
    expect((await api.request('POST', '/v1/contacts/search', { body: { query: 'missed' } })).body.results).toEqual([]);
    const res = await api.request('POST', '/v1/admin/reindex');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ engine: api.runtime.search.engine, written: 4, rejected: [] });
    // …is found after the rebuild, and archived ones stay out.
    const found = await api.request('POST', '/v1/contacts/search', { body: { query: 'missed' } });
    expect(found.body.results.map((c: { id: string }) => c.id)).toEqual([missed.body.id]);
    expect((await api.request('POST', '/v1/contacts/search', { body: { query: 'temporary' } })).body.results).toEqual([]);
  });
});
