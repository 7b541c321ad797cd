import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('a contact over HTTP, from creation to archive', () => {
  let id: string;

  it('creates a contact: 201, Location, ETag and normalized fields', async () => {
    const res = await api.request('POST', '/v1/contacts', {
      body: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        emails: [{ address: 'Ada@Example.com', label: 'work' }],
        phones: [{ number: '(415) 555-0100' }],
        tags: ['VIP'],
      },
    });
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(res.headers.get('location')).toBe(`/v1/contacts/${id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({
      emails: [{ address: 'ada@example.com', label: 'work', primary: true }],
      phones: [{ number: '+14155550100', primary: true }],
      tags: ['vip'],
      version: 1,
      status: 'active',
    });
    expect(res.body.completeness).toBeGreaterThan(0);
  });

  it('reads it back', async () => {
    const res = await api.request('GET', `/v1/contacts/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.firstName).toBe('Ada');
  });

  it('answers 409 with existingId when the primary email is taken', async () => {
    const res = await api.request('POST', '/v1/contacts', {
      body: { firstName: 'Imposter', emails: [{ address: 'ada@example.com' }] },
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.existingId).toBe(id);
  });

  it('patches with a matching If-Match and bumps the version', async () => {
    const res = await api.request('PATCH', `/v1/contacts/${id}`, {
      body: { jobTitle: 'Analyst' },
      headers: { 'if-match': '"1"' },
    });
    expect(res.status).toBe(200);
    expect(res.body.jobTitle).toBe('Analyst');
    expect(res.headers.get('etag')).toBe('"2"');
  });

  it('answers 412 when If-Match names an older version', async () => {
    const res = await api.request('PATCH', `/v1/contacts/${id}`, { body: { jobTitle: 'Stale' }, headers: { 'if-match': '"1"' } });
    expect(res.status).toBe(412);
    expect(res.body.currentVersion).toBe(2);
    expect((await api.request('GET', `/v1/contacts/${id}`)).body.jobTitle).toBe('Analyst');
  });

  it('answers 422 naming each invalid field', async () => {
    const res = await api.request('PATCH', `/v1/contacts/${id}`, {
      body: { emails: [{ address: 'nope' }], lifecycleStage: 'king' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['emails[0].address', 'lifecycleStage']);
  });

  it('lists contacts newest first', async () => {
    const second = await api.request('POST', '/v1/contacts', { body: { firstName: 'Grace', lastName: 'Hopper' } });
    const res = await api.request('GET', '/v1/contacts?limit=1');
    expect(res.body.results.map((c: { id: string }) => c.id)).toEqual([second.body.id]);
    const next = await api.request('GET', `/v1/contacts?limit=1&cursor=${encodeURIComponent(res.body.nextCursor)}`);
    expect(next.body.results.map((c: { id: string }) => c.id)).toEqual([id]);
  });

  it('archives with DELETE (204), keeps it readable and lists it as archived', async () => {
    expect((await api.request('DELETE', `/v1/contacts/${id}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/contacts/${id}`)).body.status).toBe('archived');
    const archived = await api.request('GET', '/v1/contacts?status=archived');
    expect(archived.body.results.map((c: { id: string }) => c.id)).toContain(id);
  });

  it('answers 404 for an unknown contact', async () => {
    const res = await api.request('GET', '/v1/contacts/01J00000000000000000000000');
    expect(res.status).toBe(404);
  });
});

describe('authentication and roles', () => {
  it('answers 401 without a key and with an unknown one', async () => {
    expect((await api.request('GET', '/v1/contacts', { key: null })).status).toBe(401);
    expect((await api.request('GET', '/v1/contacts', { key: 'kith_unknownunknownunknownunknown' })).status).toBe(401);
  });

  it('answers 403 when the role lacks the permission', async () => {
    const viewer = await api.keyFor('viewer');
    expect((await api.request('GET', '/v1/contacts', { key: viewer })).status).toBe(200);
    const res = await api.request('POST', '/v1/contacts', { key: viewer, body: { firstName: 'X' } });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/crm:write/);
  });

  it('lets an admin create, list and revoke keys; a revoked key stops working', async () => {
    const created = await api.request('POST', '/v1/api-keys', { body: { name: 'integration', role: 'member' } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^kith_/);
    const listed = await api.request('GET', '/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect((await api.request('GET', '/v1/me', { key: created.body.secret })).body.role).toBe('member');
    expect((await api.request('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await api.request('GET', '/v1/me', { key: created.body.secret })).status).toBe(401);
  });

  it('does not let a manager mint admin keys', async () => {
    const manager = await api.keyFor('manager');
    expect((await api.request('POST', '/v1/api-keys', { key: manager, body: { name: 'x', role: 'admin' } })).status).toBe(403);
  });
});

describe('idempotency, batches, companies and custom fields', () => {
  it('returns the first response for a retried POST with the same Idempotency-Key', async () => {
    const body = { firstName: 'Once', emails: [{ address: 'once@example.com' }] };
    const first = await api.request('POST', '/v1/contacts', { body, headers: { 'idempotency-key': 'abc-1' } });
    const retry = await api.request('POST', '/v1/contacts', { body, headers: { 'idempotency-key': 'abc-1' } });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const misuse = await api.request('POST', '/v1/contacts', {
      body: { firstName: 'Other' },
      headers: { 'idempotency-key': 'abc-1' },
    });
    expect(misuse.status).toBe(422);
  });

  it('runs a batch and reports each operation on its own', async () => {
    const res = await api.request('POST', '/v1/contacts/batch', {
      body: {
        operations: [
          { op: 'create', contact: { firstName: 'B1', emails: [{ address: 'b1@example.com' }] } },
          { op: 'create', contact: { firstName: 'B2', emails: [{ address: 'bad' }] } },
          { op: 'upsert', matchOn: 'email', contact: { firstName: 'B1 again', emails: [{ address: 'b1@example.com' }] } },
          { op: 'update', id: '01J00000000000000000000000', patch: { firstName: 'ghost' } },
          { op: 'upsert', matchOn: 'externalIds.hubspot', contact: { firstName: 'H', externalIds: { hubspot: '42' } } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([201, 422, 200, 404, 201]);
    expect(res.body.results[2].contact.firstName).toBe('B1 again');
    expect(res.body.results[2].id).toBe(res.body.results[0].id);
    expect(res.body).toMatchObject({ succeeded: 3, failed: 2 });
  });

  it('refuses more than 100 operations in a batch', async () => {
    const operations = Array.from({ length: 101 }, () => ({ op: 'create', contact: { firstName: 'x' } }));
    expect((await api.request('POST', '/v1/contacts/batch', { body: { operations } })).status).toBe(422);
  });

  it('links contacts to companies and lists a company’s contacts', async () => {
    const company = await api.request('POST', '/v1/companies', {
      body: { name: 'Analytical Engines Ltd', domain: 'engines.example' },
    });
    expect(company.status).toBe(201);
    const contact = await api.request('POST', '/v1/contacts', { body: { firstName: 'Charles', companyId: company.body.id } });
    const members = await api.request('GET', `/v1/companies/${company.body.id}/contacts`);
    expect(members.body.results.map((c: { id: string }) => c.id)).toEqual([contact.body.id]);
    const dup = await api.request('POST', '/v1/companies', { body: { name: 'Copycat', domain: 'www.engines.example' } });
    expect(dup.status).toBe(409);
    expect(dup.body.existingId).toBe(company.body.id);
  });

  it('validates contact values against custom field definitions', async () => {
    const field = await api.request('POST', '/v1/fields', { body: { key: 'contractEnd', label: 'Contract end', type: 'date' } });
    expect(field.status).toBe(201);
    const ok = await api.request('POST', '/v1/contacts', {
      body: { firstName: 'C', customFields: { contractEnd: '2027-01-31' } },
    });
    expect(ok.status).toBe(201);
    const bad = await api.request('POST', '/v1/contacts', {
      body: { firstName: 'C', customFields: { contractEnd: 'next year' } },
    });
    expect(bad.status).toBe(422);
    const unknown = await api.request('POST', '/v1/contacts', { body: { firstName: 'C', customFields: { shoeSize: 44 } } });
    expect(unknown.body.errors[0].path).toBe('customFields.shoeSize');
    const typeChange = await api.request('PATCH', '/v1/fields/contractEnd', { body: { type: 'text' } });
    expect(typeChange.status).toBe(422);
  });
});

describe('documents', () => {
  it('serves an OpenAPI 3.1 document covering every route, and a docs page', async () => {
    const doc = await api.request('GET', '/v1/openapi.json', { key: null });
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/v1/contacts'].post.requestBody.content['application/json'].schema.properties.emails).toBeDefined();
    const page = await api.request('GET', '/docs', { key: null });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});
