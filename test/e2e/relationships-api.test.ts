import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

const create = async (firstName: string) =>
  (await api.request('POST', '/v1/contacts', { body: { firstName } })).body.id as string;

describe('relationships over HTTP', () => {
  it('ties two contacts (201, then 200 on update), reads both ends and removes them', async () => {
    const [ada, grace] = [await create('Ada'), await create('Grace')];
    const first = await api.request('POST', `/v1/contacts/${ada}/relationships`, {
      body: { otherId: grace, type: 'custom', label: 'Mentor', inverseLabel: 'Mentee', strength: 0.8 },
    });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/v1/contacts/${ada}/relationships/custom%3Amentor/${grace}`);
    const again = await api.request('POST', `/v1/contacts/${ada}/relationships`, {
      body: { otherId: grace, type: 'custom', label: 'Mentor', inverseLabel: 'Mentee', strength: 0.9 },
    });
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).toBe('"2"');

    const fromGrace = await api.request('GET', `/v1/contacts/${grace}/relationships`);
    expect(fromGrace.body.results).toMatchObject([{ otherId: ada, typeKey: 'custom:mentee', label: 'Mentee', strength: 0.9 }]);
    expect((await api.request('GET', `/v1/contacts/${grace}/relationships/custom:mentee/${ada}`)).status).toBe(200);

    const stale = await api.request('DELETE', `/v1/contacts/${grace}/relationships/custom:mentee/${ada}`, {
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect((await api.request('DELETE', `/v1/contacts/${grace}/relationships/custom:mentee/${ada}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/contacts/${ada}/relationships`)).body.results).toEqual([]);
  });

  it('answers 422 for an unknown type and 404 for an unknown other contact', async () => {
    const ada = await create('Solo');
    expect(
      (await api.request('POST', `/v1/contacts/${ada}/relationships`, { body: { otherId: ada, type: 'enemy' } })).status,
    ).toBe(422);
    const missing = await api.request('POST', `/v1/contacts/${ada}/relationships`, {
      body: { otherId: '01J00000000000000000000000', type: 'friend' },
    });
    expect(missing.status).toBe(404);
  });

  it('finds introductions with ?to=', async () => {
    const [me, mid, target] = [await create('Me'), await create('Mid'), await create('Target')];
    await api.request('POST', `/v1/contacts/${me}/relationships`, { body: { otherId: mid, type: 'friend', strength: 1 } });
    await api.request('POST', `/v1/contacts/${mid}/relationships`, {
      body: { otherId: target, type: 'colleague', strength: 0.5 },
    });
    const res = await api.request('GET', `/v1/contacts/${me}/introductions?to=${target}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ complete: true, results: [{ contactIds: [me, mid, target], hops: 2, strength: 0.5 }] });
    expect((await api.request('GET', `/v1/contacts/${me}/introductions`)).status).toBe(422);
  });
});
