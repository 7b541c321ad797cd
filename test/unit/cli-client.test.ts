import { describe, expect, it } from 'vitest';
import { configFromEnv, describeProblem } from '../../cli/client.ts';

describe('the kith client', () => {
  it('says plainly that a server lacks a route, rather than echoing a 404', () => {
    const body = JSON.stringify({ type: 'x', title: 'Not found', status: 404, detail: 'No route POST /v1/admin/reindex.' });
    expect(describeProblem('POST', '/v1/admin/reindex', 404, body)).toBe(
      'This Kith has no POST /v1/admin/reindex yet (404): the capability behind it is not installed on this server.',
    );
  });

  it('prints a problem detail with its field errors in one sentence', () => {
    const body = JSON.stringify({
      status: 422,
      detail: 'The request is not valid.',
      errors: [{ path: 'onDuplicate', message: 'must be skip, update or flag' }],
    });
    expect(describeProblem('POST', '/v1/imports', 422, body)).toBe(
      'The request is not valid. (onDuplicate must be skip, update or flag)',
    );
  });

  it('refuses to guess a key for a remote Kith', () => {
    expect(() => configFromEnv({ KITH_URL: 'https://crm.example.com' })).toThrow(/set KITH_API_KEY/);
    expect(configFromEnv({ KITH_URL: 'https://crm.example.com/v1/', KITH_API_KEY: 'kith_abc' })).toEqual({
      url: 'https://crm.example.com',
      apiKey: 'kith_abc',
    });
  });
});
