import { describe, expect, it } from 'vitest';
import { RouteTable } from '../../shared/http/routing.ts';
import { routes } from '../../infra/topology.ts';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor.ts';
import { ValidationError } from '../../shared/domain/errors.ts';

describe('RouteTable', () => {
  const table = new RouteTable(routes);

  it('prefers literal segments over parameters', () => {
    const match = table.match('POST', '/v1/contacts/batch');
    expect(match.kind === 'found' && match.route.operationId).toBe('batchContacts');
  });

  it('extracts path parameters', () => {
    expect(table.match('GET', '/v1/contacts/01ABC')).toMatchObject({ kind: 'found', params: { id: '01ABC' } });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(table.match('PUT', '/v1/contacts')).toEqual({ kind: 'method_not_allowed', allowed: ['POST', 'GET'] });
    expect(table.match('GET', '/v1/nothing')).toEqual({ kind: 'not_found' });
  });

  it('ignores a trailing slash', () => {
    expect(table.match('GET', '/v1/contacts/').kind).toBe('found');
  });
});

describe('cursors', () => {
  const expected = { attributes: ['pk', 'sk'], partition: { attribute: 'pk', value: 'P' } };

  it('round-trip', () => {
    const cursor = encodeCursor({ pk: 'P', sk: 'S' })!;
    expect(decodeCursor(cursor, expected)).toEqual({ pk: 'P', sk: 'S' });
  });

  it.each([
    ['garbage', '%%%'],
    ['JSON that is not a key', Buffer.from('[1]').toString('base64url')],
    ['another partition', encodeCursor({ pk: 'OTHER', sk: 'S' })!],
    ['extra attributes', encodeCursor({ pk: 'P', sk: 'S', x: 'y' })!],
    ['non-string values', encodeCursor({ pk: 'P', sk: 1 })!],
  ])('refuses %s as a 422', (_name, cursor) => {
    expect(() => decodeCursor(cursor, expected)).toThrow(ValidationError);
  });
});
