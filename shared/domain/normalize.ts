import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import * as z from 'zod';

/** Lower-case, trimmed address, or `undefined` when it is not a valid email. */
export function normalizeEmail(raw: string): string | undefined {
  const candidate = raw.trim().toLowerCase();
  return z.email().safeParse(candidate).success ? candidate : undefined;
}

/**
 * E.164 form of a phone number typed by a human, or `undefined` when it cannot be a phone.
 * Numbers without a country code are read in `defaultRegion`.
 */
export function normalizePhone(raw: string, defaultRegion: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.trim(), { defaultCountry: defaultRegion, extract: false });
  if (!parsed || !parsed.isPossible()) return undefined;
  const e164 = parsed.number;
  return parsed.ext ? `${e164};ext=${parsed.ext}` : e164;
}

/** Collapses runs of whitespace and trims; empty strings become `undefined`. */
export function cleanText(raw: string | undefined | null): string | undefined {
  if (raw == null) return undefined;
  const cleaned = raw.replace(/\s+/g, ' ').trim();
  return cleaned === '' ? undefined : cleaned;
}

/** Tags compare case-insensitively and are stored lower-case, trimmed and unique. */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    const normalized = tag.replace(/\s+/g, ' ').trim().toLowerCase();
    if (normalized !== '') seen.add(normalized);
  }
  return [...seen];
}

/** Host of a company website or email domain, lower-case and without `www.`. */
export function normalizeDomain(raw: string): string | undefined {
  let value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(value)) value = `https://${value}`;
  try {
    const host = new URL(value).hostname.replace(/^www\./, '').replace(/\.$/, '');
    return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

const TIME_ZONES = new Set(Intl.supportedValuesOf('timeZone'));
TIME_ZONES.add('UTC');

export function isTimeZone(value: string): boolean {
  return TIME_ZONES.has(value);
}

/** `YYYY-MM-DD` that names a real calendar day. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
