import { describe, expect, it } from 'vitest';
import { isCalendarDate, normalizeDomain, normalizeEmail, normalizePhone, normalizeTags } from '../../shared/domain/normalize.ts';
import { applyMergePatch } from '../../shared/domain/merge-patch.ts';

describe('normalizePhone', () => {
  it.each([
    ['+1 (415) 555-0100', 'US', '+14155550100'],
    ['415.555.0100', 'US', '+14155550100'],
    ['020 7123 4567', 'GB', '+442071234567'],
    ['+44 (0)20 7123 4567', 'US', '+442071234567'],
    ['0049 30 1234567', 'DE', '+49301234567'],
    ['+1 415 555 0100 ext. 12', 'US', '+14155550100;ext=12'],
  ] as const)('reads %s in %s as %s', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toBe(expected);
  });

  it.each(['', 'abc', '12', '+999 1234'])('rejects %j', (raw) => {
    expect(normalizePhone(raw, 'US')).toBeUndefined();
  });
});

describe('normalizeEmail', () => {
  it('lower-cases and trims valid addresses', () => {
    expect(normalizeEmail('  Ada.Lovelace+crm@Example.CO.UK ')).toBe('ada.lovelace+crm@example.co.uk');
  });
  it.each(['ada', 'ada@', '@example.com', 'a b@example.com', 'ada@example'])('rejects %j', (raw) => {
    expect(normalizeEmail(raw)).toBeUndefined();
  });
});

describe('normalizeDomain', () => {
  it.each([
    ['https://www.Example.com/about', 'example.com'],
    ['example.co.uk', 'example.co.uk'],
    ['WWW.ACME.IO.', 'acme.io'],
  ])('reads %s as %s', (raw, expected) => expect(normalizeDomain(raw)).toBe(expected));
  it.each(['acme', 'http://', 'not a domain'])('rejects %j', (raw) => expect(normalizeDomain(raw)).toBeUndefined());
});

describe('small rules', () => {
  it('tags are case-insensitive and unique', () => expect(normalizeTags(['VIP', ' vip', 'a  b'])).toEqual(['vip', 'a b']));
  it('calendar dates must exist', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2023-2-1')).toBe(false);
  });
  it('merge patch follows RFC 7396 examples', () => {
    expect(applyMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({ a: 'z', c: { d: 'e' } });
    expect(applyMergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
    expect(applyMergePatch({ a: 'b' }, ['c'])).toEqual(['c']);
  });
});
