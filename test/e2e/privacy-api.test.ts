import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('consent over HTTP', () => {
  it('records a channel with its proof: the contact, a timeline entry and a history entry', async () => {
    const { id } = (await api.request('POST', '/v1/contacts', { body: { firstName: 'Consuela' } })).body;
    const granted = await api.request('POST', `/v1/contacts/${id}/consent`, {
      body: { channel: 'email', status: 'granted', source: 'double-opt-in', at: '2026-01-05T10:00:00Z' },
    });
    expect(granted.status).toBe(200);
    expect(granted.body.consent).toEqual({
      email: { status: 'granted', at: '2026-01-05T10:00:00.000Z', source: 'double-opt-in' },
    });
    await api.runtime.pipeline.drain();

    const timeline = await api.request('GET', `/v1/contacts/${id}/activities`);
    expect(timeline.body.results).toContainEqual(
      expect.objectContaining({
        kind: 'system',
        systemEvent: 'consent.changed',
        subject: 'Email consent granted (double-opt-in)',
        occurredAt: '2026-01-05T10:00:00.000Z',
      }),
    );
    const history = await api.request('GET', `/v1/contacts/${id}/history`);
    expect(history.body.results[0].changes).toEqual([
      { field: 'consent', to: { email: { status: 'granted', at: '2026-01-05T10:00:00.000Z', source: 'double-opt-in' } } },
    ]);

    const search = await api.request('POST', '/v1/contacts/search', {
      body: { filter: { field: 'consent.email.status', op: 'eq', value: 'granted' } },
    });
    expect(search.body.results.map((c: { id: string }) => c.id)).toEqual([id]);

    const withdrawn = await api.request('POST', `/v1/contacts/${id}/consent`, {
      body: { channel: 'email', status: 'withdrawn', source: 'unsubscribe-link' },
    });
    expect(withdrawn.body.consent.email.status).toBe('withdrawn');
  });

  it('refuses unknown channels and statuses by name, and viewers', async () => {
    const { id } = (await api.request('POST', '/v1/contacts', { body: { firstName: 'Val' } })).body;
    const bad = await api.request('POST', `/v1/contacts/${id}/consent`, {
      body: { channel: 'fax', status: 'sure', source: 'x' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['channel', 'status']);
    const viewer = await api.keyFor('viewer');
    const forbidden = await api.request('POST', `/v1/contacts/${id}/consent`, {
      key: viewer,
      body: { channel: 'email', status: 'granted', source: 'x' },
    });
    expect(forbidden.status).toBe(403);
  });
});

describe('the personal data export over HTTP', () => {
  it('holds the record, timeline, ties by name, tasks, history and segments', async () => {
    const other = (
      await api.request('POST', '/v1/contacts', { body: { firstName: 'Olga', lastName: 'Other', jobTitle: 'Secret' } })
    ).body;
    const person = (
      await api.request('POST', '/v1/contacts', {
        body: { firstName: 'Portia', tags: ['vip'], emails: [{ address: 'portia@export.test' }] },
      })
    ).body;
    await api.request('POST', `/v1/contacts/${person.id}/activities`, { body: { kind: 'note', body: 'likes tea' } });
    await api.request('POST', `/v1/contacts/${person.id}/relationships`, { body: { otherId: other.id, type: 'colleague' } });
    await api.request('POST', '/v1/tasks', { body: { title: 'Send tea', contactId: person.id } });
    const segment = (
      await api.request('POST', '/v1/segments', {
        body: { name: 'VIPs', filter: { field: 'tags', op: 'contains', value: 'vip' } },
      })
    ).body;
    await api.runtime.pipeline.drain();

    const viewer = await api.keyFor('viewer');
    expect((await api.request('GET', `/v1/contacts/${person.id}/export`, { key: viewer })).status).toBe(403);
    const manager = await api.keyFor('manager');
    const exported = await api.request('GET', `/v1/contacts/${person.id}/export`, { key: manager });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain(`kith-contact-${person.id}.json`);
    const doc = exported.body;
    expect(doc.contact).toMatchObject({ id: person.id, firstName: 'Portia' });
    expect(doc.activities.results.map((a: { body?: string }) => a.body)).toContain('likes tea');
    expect(doc.activities.continueAt).toBeUndefined();
    expect(doc.relationships.results).toEqual([
      { type: 'colleague', strength: expect.any(Number), other: { id: other.id, name: 'Olga Other' } },
    ]);
    expect(JSON.stringify(doc)).not.toContain('Secret');
    expect(doc.tasks.results.map((t: { title: string }) => t.title)).toEqual(['Send tea']);
    expect(doc.history.results.length).toBeGreaterThan(0);
    expect(doc.segments).toEqual([{ id: segment.id, name: 'VIPs' }]);
    expect(doc).toHaveProperty('webhookDeliveries.results');
    expect(doc).toHaveProperty('workflowRuns.results');
    expect(doc).toHaveProperty('duplicateSuggestions');
  });

  it('answers 404 once the person is erased, and only admins may erase', async () => {
    const { id } = (await api.request('POST', '/v1/contacts', { body: { firstName: 'Gone' } })).body;
    const manager = await api.keyFor('manager');
    expect((await api.request('POST', `/v1/contacts/${id}/erase`, { key: manager, body: {} })).status).toBe(403);
    expect((await api.request('POST', `/v1/contacts/${id}/erase`)).status).toBe(204);
    expect((await api.request('GET', `/v1/contacts/${id}/export`)).status).toBe(404);
    expect((await api.request('GET', `/v1/contacts/${id}/activities`)).status).toBe(404);
    expect((await api.request('PATCH', `/v1/contacts/${id}`, { body: { firstName: 'Back' } })).status).toBe(404);
    expect((await api.request('POST', `/v1/contacts/${id}/restore`)).status).toBe(404);
    const list = await api.request('GET', '/v1/contacts?limit=100');
    expect(list.body.results.map((c: { id: string }) => c.id)).not.toContain(id);
  });
});
