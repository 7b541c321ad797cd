import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('the timeline over HTTP', () => {
  let contactId: string;

  it('logs a call: 201, Location, and the contact ETag moves', async () => {
    contactId = (await api.request('POST', '/v1/contacts', { body: { firstName: 'Ada' } })).body.id;
    const res = await api.request('POST', `/v1/contacts/${contactId}/activities`, {
      body: { kind: 'call', direction: 'in', durationSeconds: 300, outcome: 'connected', subject: 'Intro call' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/contacts/${contactId}/activities/${res.body.id}`);
    expect(res.body).toMatchObject({ kind: 'call', direction: 'in', contactId, version: 1 });
    const contact = await api.request('GET', `/v1/contacts/${contactId}`);
    expect(contact.headers.get('etag')).toBe('"2"');
    expect(contact.body.lastInteractionAt).toBe(res.body.occurredAt);
    expect(contact.body.engagementScore).toBe(6);
  });

  it('honours Idempotency-Key: a retried POST logs once', async () => {
    const send = () =>
      api.request('POST', `/v1/contacts/${contactId}/activities`, {
        body: { kind: 'note', body: 'Prefers email' },
        headers: { 'idempotency-key': 'note-1' },
      });
    const first = await send();
    const second = await send();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    const list = await api.request('GET', `/v1/contacts/${contactId}/activities`);
    expect(list.body.results.filter((a: { kind: string }) => a.kind === 'note')).toHaveLength(1);
  });

  it('reads, edits with If-Match and deletes one activity', async () => {
    const note = (await api.request('POST', `/v1/contacts/${contactId}/activities`, { body: { kind: 'note', body: 'draft' } }))
      .body;
    const path = `/v1/contacts/${contactId}/activities/${note.id}`;
    expect((await api.request('GET', path)).body.body).toBe('draft');
    expect((await api.request('PATCH', path, { body: { body: 'final' }, headers: { 'if-match': '"1"' } })).status).toBe(200);
    expect((await api.request('PATCH', path, { body: { body: 'stale' }, headers: { 'if-match': '"1"' } })).status).toBe(412);
    expect((await api.request('DELETE', path)).status).toBe(204);
    expect((await api.request('GET', path)).status).toBe(404);
  });

  it('answers 422 for a future activity and 404 for an unknown contact, and needs crm:write to log', async () => {
    const future = await api.request('POST', `/v1/contacts/${contactId}/activities`, {
      body: { kind: 'meeting', occurredAt: '2999-01-01T00:00:00Z' },
    });
    expect(future.status).toBe(422);
    expect(future.body.errors[0].path).toBe('occurredAt');
    expect(
      (await api.request('POST', '/v1/contacts/01J00000000000000000000000/activities', { body: { kind: 'note' } })).status,
    ).toBe(404);
    const viewer = await api.keyFor('viewer');
    expect(
      (await api.request('POST', `/v1/contacts/${contactId}/activities`, { body: { kind: 'note' }, key: viewer })).status,
    ).toBe(403);
    expect((await api.request('GET', `/v1/contacts/${contactId}/activities`, { key: viewer })).status).toBe(200);
  });
});
