import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/topology.ts';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const BODIES: [string, string | Buffer][] = [
  ['empty', ''],
  ['truncated JSON', '{"firstName": "Ada"'],
  ['null', 'null'],
  ['an array', '[1,2,3]'],
  ['a string', '"hello"'],
  ['a number', '1e400'],
  ['prototype pollution', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'],
  ['operator injection', '{"firstName":{"$gt":""},"emails":[{"address":{"$ne":null}}],"id":"x"}'],
  [
    'wrong types everywhere',
    '{"firstName":1,"emails":"a@b.c","phones":[1],"tags":"vip","customFields":[],"operations":{},"name":[],"role":7}',
  ],
  ['deep nesting', `{"customFields":{"x":${deep(5000)}}}`],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ['control characters', '{"firstName":"\\u0000\\u001f","lastName":"\\ud800"}'],
  ['huge string', JSON.stringify({ firstName: 'x'.repeat(2 * 1024 * 1024) })],
  ['many fields', JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, i])))],
];

const PARAMS = ['x', '%00', '..%2F..%2Fetc', 'a'.repeat(3000), '%F0%9F%98%80', "'%20OR%201=1", '01J00000000000000000000000'];
const QUERIES = ['limit=-1', 'limit=abc', 'limit=1e9', 'cursor=%%%', 'cursor=eyJwayI6MX0', 'status=deleted', 'limit=5&limit=6'];
const HEADERS: Record<string, string>[] = [
  { 'if-match': 'not-a-version' },
  { 'idempotency-key': 'k'.repeat(300) },
  { 'content-type': 'text/csv' },
  { 'content-type': 'application/json; charset=latin1' },
];

function pathsFor(template: string): string[] {
  if (!template.includes('{')) return [template];
  return PARAMS.map((value) => template.replace(/\{[^}]+\}/g, value));
}

async function expectHandled(
  method: string,
  path: string,
  init: { rawBody?: string | Buffer; headers?: Record<string, string> },
) {
  const res = await api.request(method, path, init);
  const context = `${method} ${path.slice(0, 80)}`;
  expect(res.status, context).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), context).toBe('application/problem+json');
    expect(res.body, context).toMatchObject({ type: expect.any(String), title: expect.any(String), status: res.status });
  }
  expect(JSON.stringify(res.body ?? ''), context).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

describe('no input a client can send produces a 500', () => {
  for (const route of routes) {
    it(`${route.method} ${route.path}`, async () => {
      for (const path of pathsFor(route.path)) {
        if (route.method === 'GET' || route.method === 'DELETE') {
          for (const query of QUERIES) await expectHandled(route.method, `${path}?${query}`, {});
          for (const headers of HEADERS) await expectHandled(route.method, path, { headers });
        } else {
          for (const [, rawBody] of BODIES) await expectHandled(route.method, path, { rawBody });
          for (const headers of HEADERS) await expectHandled(route.method, path, { rawBody: '{"firstName":"Ada"}', headers });
        }
      }
    });
  }

  it('answers unknown routes with 404 and wrong methods with 405 and an Allow header', async () => {
    const missing = await api.request('GET', '/v1/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrong = await api.request('PUT', '/v1/contacts');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
  });

  it('answers 413 for a body over the limit and 400 for malformed JSON', async () => {
    const big = await api.request('POST', '/v1/contacts', {
      rawBody: JSON.stringify({ firstName: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    const bad = await api.request('POST', '/v1/contacts', { rawBody: '{"firstName":' });
    expect(bad.status).toBe(400);
  });
});
