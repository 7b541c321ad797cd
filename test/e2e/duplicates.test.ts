import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

/** The steward's path over HTTP; the local pipeline delivers contact events to the dedup function. */
describe('duplicates and merge over HTTP', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.stop());

  it('suggests Bob and Robert Smith, merges them, and reads the loser as the survivor', async () => {
    const robert = await api.request('POST', '/v1/contacts', {
      body: { firstName: 'Robert', lastName: 'Smith', phones: [{ number: '+1 (415) 555-0100' }] },
    });
    const bob = await api.request('POST', '/v1/contacts', {
      body: { firstName: 'Bob', lastName: 'Smith', phones: [{ number: '415.555.0100' }] },
    });
    await api.runtime.pipeline.drain();

    const list = await api.request('GET', '/v1/duplicates?status=open');
    expect(list.status).toBe(200);
    const [suggestion] = list.body.results;
    expect(suggestion).toMatchObject({ contactIds: [robert.body.id, bob.body.id].sort(), status: 'open' });
    expect(suggestion.reasons).toEqual(expect.arrayContaining(['same phone', 'nickname Bob = Robert']));
    expect(suggestion).not.toHaveProperty('fingerprints');

    const viewer = await api.keyFor('viewer');
    expect(
      (await api.request('POST', `/v1/contacts/${robert.body.id}/merge`, { body: { sourceId: bob.body.id }, key: viewer }))
        .status,
    ).toBe(403);

    const merged = await api.request('POST', `/v1/contacts/${robert.body.id}/merge`, { body: { sourceId: bob.body.id } });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ id: robert.body.id, mergedFrom: [bob.body.id] });

    const loser = await api.request('GET', `/v1/contacts/${bob.body.id}`);
    expect(loser.body).toMatchObject({ id: robert.body.id, mergedFrom: [bob.body.id] });
    expect((await api.request('GET', `/v1/duplicates/${suggestion.id}`)).body.status).toBe('merged');
    expect((await api.request('GET', '/v1/duplicates?status=open')).body.results).toEqual([]);
  });

  it('dismisses a suggestion and lists it among the dismissed', async () => {
    const a = await api.request('POST', '/v1/contacts', {
      body: { firstName: 'Jane', lastName: 'Doe', birthday: '1980-02-03', emails: [{ address: 'jane@doe.example' }] },
    });
    const b = await api.request('POST', '/v1/contacts', { body: { firstName: 'Jane', lastName: 'Doe', birthday: '1980-02-03' } });
    await api.runtime.pipeline.drain();
    const [suggestion] = (await api.request('GET', '/v1/duplicates')).body.results;
    const dismissed = await api.request('POST', `/v1/duplicates/${suggestion.id}/dismiss`);
    expect(dismissed.body.status).toBe('dismissed');
    expect((await api.request('GET', '/v1/duplicates?status=dismissed')).body.results.map((p: { id: string }) => p.id)).toEqual([
      suggestion.id,
    ]);
    expect((await api.request('GET', '/v1/duplicates/not-a-pair')).status).toBe(404);
  });

  it('runs the audit on request', async () => {
    const report = await api.request('POST', '/v1/admin/dedup/audit');
    expect(report.status).toBe(200);
    expect(report.body.contacts).toBeGreaterThanOrEqual(3);
  });
});
