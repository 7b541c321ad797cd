import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KithEvent } from '../../shared/events/types.ts';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('field history over HTTP', () => {
  it('shows a PATCH in GET /v1/contacts/{id}/history once the pipeline has delivered it', async () => {
    const created = await api.request('POST', '/v1/contacts', { body: { firstName: 'Ada', jobTitle: 'Analyst' } });
    const id = created.body.id as string;
    const patched = await api.request('PATCH', `/v1/contacts/${id}`, {
      body: { jobTitle: 'CTO', lifecycleStage: 'customer' },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status).toBe(200);
    await api.runtime.pipeline.drain();

    const viewer = await api.keyFor('viewer');
    const history = await api.request('GET', `/v1/contacts/${id}/history`, { key: viewer });
    expect(history.status).toBe(200);
    expect(history.body.results[0]).toEqual({
      version: 2,
      event: 'contact.updated',
      actor: expect.stringMatching(/^key:/),
      occurredAt: patched.body.updatedAt,
      changes: [
        { field: 'jobTitle', from: 'Analyst', to: 'CTO' },
        { field: 'lifecycleStage', to: 'customer' },
      ],
    });
    expect(history.body.results.map((e: { version: number }) => e.version)).toEqual([2, 1]);
  });

  it('pages history newest first with a cursor', async () => {
    const id = (await api.request('POST', '/v1/companies', { body: { name: 'Engines' } })).body.id as string;
    for (const employees of [1, 2, 3]) await api.request('PATCH', `/v1/companies/${id}`, { body: { employees } });
    await api.runtime.pipeline.drain();
    const first = await api.request('GET', `/v1/companies/${id}/history?limit=3`);
    const second = await api.request('GET', `/v1/companies/${id}/history?limit=3&cursor=${first.body.nextCursor}`);
    const versions = [...first.body.results, ...second.body.results].map((e: { version: number }) => e.version);
    expect(versions).toEqual([4, 3, 2, 1]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('answers 404 for the history of an unknown contact', async () => {
    const res = await api.request('GET', '/v1/contacts/01J00000000000000000000000/history');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('dead letters over HTTP', () => {
  it('lets only admins see them', async () => {
    const manager = await api.keyFor('manager');
    expect((await api.request('GET', '/v1/admin/dead-letters', { key: manager })).status).toBe(403);
    expect((await api.request('POST', '/v1/admin/dead-letters/redrive', { key: manager, body: {} })).status).toBe(403);
  });

  it('lists a failed delivery and redrives it once the consumer works again', async () => {
    const original = api.runtime.handlers.history!;
    let failing = true;
    api.runtime.handlers.history = async (event, context) => {
      if (failing) throw new Error('history is down');
      return original(event, context);
    };
    const id = (await api.request('POST', '/v1/contacts', { body: { firstName: 'Grace' } })).body.id as string;
    await api.runtime.pipeline.drain();

    const listed = await api.request('GET', '/v1/admin/dead-letters');
    expect(listed.status).toBe(200);
    const letter = listed.body.results.find((l: { payload: KithEvent }) => l.payload.detail.id === id);
    expect(letter).toMatchObject({
      target: { kind: 'subscription', name: 'field-history', function: 'history' },
      error: { name: 'Error', message: 'history is down' },
      attempts: 3,
      payload: { source: 'kith', 'detail-type': 'contact.created' },
    });
    expect(JSON.stringify(listed.body)).not.toMatch(/\n\s+at /);

    const unknown = await api.request('POST', '/v1/admin/dead-letters/redrive', {
      body: { ids: ['01J00000000000000000000000'] },
    });
    expect(unknown.body).toEqual({ redriven: [], failed: [], notFound: ['01J00000000000000000000000'] });

    failing = false;
    const redriven = await api.request('POST', '/v1/admin/dead-letters/redrive', { body: { ids: [letter.id] } });
    expect(redriven.status).toBe(200);
    expect(redriven.body).toEqual({ redriven: [letter.id], failed: [], notFound: [] });
    const history = await api.request('GET', `/v1/contacts/${id}/history`);
    expect(history.body.results.map((e: { event: string }) => e.event)).toEqual(['contact.created']);
    const after = await api.request('GET', '/v1/admin/dead-letters');
    expect(after.body.results.find((l: { id: string }) => l.id === letter.id)).toBeUndefined();
    api.runtime.handlers.history = original;
  });

  it('refuses a redrive request that is not a list of ids', async () => {
    const res = await api.request('POST', '/v1/admin/dead-letters/redrive', { body: { ids: 'all' } });
    expect(res.status).toBe(422);
  });
});
