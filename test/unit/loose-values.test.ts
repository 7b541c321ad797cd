import { describe, expect, it } from 'vitest';
import { countryCode, parseLooseBoolean, parseLooseDate, parseLooseNumber } from '../../shared/domain/loose-values.ts';

describe('dates as exports write them', () => {
  it.each([
    ['1815-12-10', '1815-12-10'],
    ['2024-03-12 09:14', '2024-03-12'],
    ['19651203', '1965-12-03'],
    ['10.12.1815', '1815-12-10'],
    ['3/15/2024', '2024-03-15'],
    ['15/3/2024', '2024-03-15'],
    ['12 Mar 2024', '2024-03-12'],
    ['7-Feb-22', '2022-02-07'],
    ['March 12, 2024', '2024-03-12'],
  ])('reads %s as %s', (raw, date) => {
    expect(parseLooseDate(raw)).toEqual({ date });
  });

  it('knows a birthday without a year, an empty sentinel and nonsense apart', () => {
    expect(parseLooseDate('--12-09')).toEqual({ yearless: true });
    expect(parseLooseDate('0.0.00')).toEqual({ empty: true });
    expect(parseLooseDate('31.02.1918')).toEqual({ invalid: true });
    expect(parseLooseDate('soon')).toEqual({ invalid: true });
  });
});

describe('countries', () => {
  it.each([
    ['Norway', 'NO'],
    ['USA', 'US'],
    ['United States', 'US'],
    ['uk', 'GB'],
    ['Deutschland', 'DE'],
    ['France', 'FR'],
    ['Côte d’Ivoire', 'CI'],
    ['de', 'DE'],
  ])('reads %s as %s', (raw, code) => {
    expect(countryCode(raw)).toBe(code);
  });

  it('does not guess', () => {
    expect(countryCode('Atlantis')).toBeUndefined();
  });
});

describe('numbers and booleans', () => {
  it('read thousands separators of either convention', () => {
    expect(parseLooseNumber('1,234.5')).toBe(1234.5);
    expect(parseLooseNumber('1.234,5')).toBe(1234.5);
    expect(parseLooseNumber('12,5')).toBe(12.5);
    expect(parseLooseNumber('12 apples')).toBeUndefined();
    expect(parseLooseBoolean('Yes')).toBe(true);
    expect(parseLooseBoolean('nein')).toBe(false);
    expect(parseLooseBoolean('maybe')).toBeUndefined();
  });
});
