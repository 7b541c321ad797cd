import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

const followUp = {
  name: 'Follow up new leads',
  trigger: { type: 'field_changed', field: 'lifecycleStage', to: 'lead' },
  conditions: { field: 'tags', op: 'contains', value: 'inbound' },
  actions: [{ type: 'create_task', title: 'Call {{firstName}}', dueInDays: 1, assignee: 'owner' }],
};

describe('workflows over HTTP', () => {
  it('creates a workflow, shows its secret once, and reads it back without it', async () => {
    const created = await api.request('POST', '/v1/workflows', { body: followUp });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/workflows/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({ ...followUp, enabled: true, version: 1, secret: expect.stringMatching(/^whsec_/) });

    const read = await api.request('GET', `/v1/workflows/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();
    expect(read.body).toMatchObject(followUp);

    const rotated = await api.request('POST', `/v1/workflows/${created.body.id}/rotate-secret`);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
  });

  it('answers 422 naming every offending path', async () => {
    const segmentless = await api.request('POST', '/v1/workflows', {
      body: {
        name: 'Broken',
        trigger: { type: 'segment_entered', segmentId: '01J00000000000000000000000' },
        conditions: { and: [{ field: 'tags', op: 'has', value: 'vip' }] },
        actions: [
          { type: 'set_field', field: 'lifecycleStage', value: 'boss' },
          { type: 'webhook', url: 'ftp://example.com/hook' },
        ],
      },
    });
    expect(segmentless.status).toBe(422);
    expect(segmentless.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['actions[1].url', 'conditions.and[0].op'].sort(),
    );

    const unknownSegment = await api.request('POST', '/v1/workflows', {
      body: {
        name: 'Broken',
        trigger: { type: 'segment_entered', segmentId: '01J00000000000000000000000' },
        conditions: { field: 'customFields.nope', op: 'exists' },
        actions: [{ type: 'set_field', field: 'lifecycleStage', value: 'boss' }],
      },
    });
    expect(unknownSegment.status).toBe(422);
    expect(unknownSegment.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['actions[0].value', 'conditions.field', 'trigger.segmentId'].sort(),
    );
  });

  it('changes a workflow by merge patch, honouring If-Match', async () => {
    const { id } = (await api.request('POST', '/v1/workflows', { body: followUp })).body;
    const stale = await api.request('PATCH', `/v1/workflows/${id}`, { body: { enabled: false }, headers: { 'if-match': '"7"' } });
    expect(stale.status).toBe(412);
    const patched = await api.request('PATCH', `/v1/workflows/${id}`, {
      body: { enabled: false, trigger: { type: 'inactivity', days: 30 }, conditions: null },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, trigger: { type: 'inactivity', days: 30 }, version: 2 });
    expect(patched.body.conditions).toBeUndefined();
    const invalid = await api.request('PATCH', `/v1/workflows/${id}`, { body: { trigger: { type: 'inactivity', days: 0 } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors).toMatchObject([{ path: 'trigger.days' }]);
  });

  it('lists workflows newest first with cursors, and their runs', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await api.request('POST', '/v1/workflows', { body: { ...followUp, name: `W${i}` } })).body.id);
    const first = await api.request('GET', '/v1/workflows?limit=2');
    expect(first.body.results).toHaveLength(2);
    expect(first.body.results[0].id).toBe(ids[2]);
    const second = await api.request('GET', `/v1/workflows?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.results[0].id).toBe(ids[0]);

    const runs = await api.request('GET', `/v1/workflows/${ids[0]}/runs`);
    expect(runs.status).toBe(200);
    expect(runs.body).toEqual({ results: [], nextCursor: null });
    expect((await api.request('GET', '/v1/workflows/01J00000000000000000000000/runs')).status).toBe(404);
  });

  it('deletes a workflow', async () => {
    const { id } = (await api.request('POST', '/v1/workflows', { body: followUp })).body;
    expect((await api.request('DELETE', `/v1/workflows/${id}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/workflows/${id}`)).status).toBe(404);
    expect((await api.request('DELETE', `/v1/workflows/${id}`)).status).toBe(404);
  });

  it('lets viewers read workflows and their runs, and only managers change them', async () => {
    const { id } = (await api.request('POST', '/v1/workflows', { body: followUp })).body;
    const viewer = await api.keyFor('viewer');
    const member = await api.keyFor('member');
    expect((await api.request('GET', `/v1/workflows/${id}`, { key: viewer })).status).toBe(200);
    expect((await api.request('GET', `/v1/workflows/${id}/runs`, { key: viewer })).status).toBe(200);
    expect((await api.request('POST', '/v1/workflows', { body: followUp, key: member })).status).toBe(403);
    expect((await api.request('PATCH', `/v1/workflows/${id}`, { body: { enabled: false }, key: member })).status).toBe(403);
    expect((await api.request('GET', `/v1/workflows/${id}/deliveries`, { key: viewer })).status).toBe(403);
    expect((await api.request('GET', '/v1/workflows', { key: null })).status).toBe(401);
  });
});
