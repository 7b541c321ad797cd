/**
 * Values as people and spreadsheets write them (dates, countries, yes/no, numbers), read into
 * the exact forms the contact model stores. Pure: no clock, no locale of the machine.
 */
import { isCalendarDate } from './normalize.ts';

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  januar: 1,
  februar: 2,
  märz: 3,
  maerz: 3,
  mai: 5,
  juni: 6,
  juli: 7,
  okt: 10,
  dez: 12,
};

/** Two-digit years up to this are 20xx, above it 19xx (birthdays lean to the past). */
const TWO_DIGIT_YEAR_PIVOT = 30;

function fullYear(year: string): number {
  const n = Number(year);
  if (year.length !== 2) return n;
  return n <= TWO_DIGIT_YEAR_PIVOT ? 2000 + n : 1900 + n;
}

function isoDate(y: number, m: number, d: number): string | undefined {
  const value = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isCalendarDate(value) ? value : undefined;
}

export type LooseDate = { date: string } | { yearless: true } | { empty: true } | { invalid: true };

/**
 * A calendar date from what exports write: ISO (with or without a time), `YYYY/MM/DD`,
 * `DD.MM.YYYY`, `M/D/YYYY` (US order unless the first number cannot be a month), `12 Mar 2024`,
 * `7-Feb-22`, `March 12, 2024`. Google's `--MM-DD` has no year; Outlook's `0.0.00` means empty.
 */
export function parseLooseDate(raw: string): LooseDate {
  const value = raw.trim();
  if (value === '' || /^0?0?\.0?0?\.0{2,4}$/.test(value) || value === '1/1/1601' || value === '0/0/00') return { empty: true };
  if (/^--\d{2}-?\d{2}$/.test(value)) return { yearless: true };
  let m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?$/.exec(value);
  if (m) return wrap(isoDate(Number(m[1]), Number(m[2]), Number(m[3])));
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (m) return wrap(isoDate(Number(m[1]), Number(m[2]), Number(m[3])));
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(value);
  if (m) return wrap(isoDate(fullYear(m[3]!), Number(m[2]), Number(m[1])));
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?: .*)?$/.exec(value);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    const [month, day] = a > 12 ? [b, a] : [a, b];
    return wrap(isoDate(fullYear(m[3]!), month, day));
  }
  m = /^(\d{1,2})[ -]([A-Za-zä]{3,9})\.?[\s,-]*(\d{2}|\d{4})$/.exec(value);
  if (m) return wrap(monthNamed(m[2]!, Number(m[1]), m[3]!));
  m = /^([A-Za-zä]{3,9})\.? (\d{1,2}),? (\d{4})$/.exec(value);
  if (m) return wrap(monthNamed(m[1]!, Number(m[2]), m[3]!));
  return { invalid: true };
}

function monthNamed(name: string, day: number, year: string): string | undefined {
  const lower = name.toLowerCase();
  const month = MONTHS[lower] ?? MONTHS[lower.slice(0, 3)];
  return month ? isoDate(fullYear(year), month, day) : undefined;
}

function wrap(date: string | undefined): LooseDate {
  return date ? { date } : { invalid: true };
}

const COUNTRY_ALIASES: Record<string, string> = {
  usa: 'US',
  us: 'US',
  'u s a': 'US',
  'u s': 'US',
  'united states of america': 'US',
  america: 'US',
  uk: 'GB',
  'u k': 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
  'the netherlands': 'NL',
  'south korea': 'KR',
  korea: 'KR',
  russia: 'RU',
  'czech republic': 'CZ',
  uae: 'AE',
  'viet nam': 'VN',
  'ivory coast': 'CI',
};

/** Codes Intl names that are not ISO 3166-1 countries (transitional, exceptional, groupings). */
const NOT_COUNTRIES = new Set([
  'FX',
  'SU',
  'YU',
  'DD',
  'ZR',
  'TP',
  'CS',
  'AN',
  'BU',
  'NT',
  'EU',
  'EZ',
  'UN',
  'QO',
  'XA',
  'XB',
  'AC',
  'CP',
  'DG',
  'EA',
  'IC',
  'TA',
  'ZZ',
]);

let countryNames: Map<string, string> | undefined;

function comparable(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** Every region name the runtime knows in a few languages, built once from Intl rather than a table. */
function knownCountries(): Map<string, string> {
  if (countryNames) return countryNames;
  const names = new Map<string, string>();
  const locales = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl'].map(
    (l) => new Intl.DisplayNames([l], { type: 'region', fallback: 'none' }),
  );
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      if (NOT_COUNTRIES.has(code)) continue;
      for (const display of locales) {
        let name: string | undefined;
        try {
          name = display.of(code);
        } catch {
          name = undefined;
        }
        if (name && name !== code && !names.has(comparable(name))) names.set(comparable(name), code);
      }
    }
  }
  for (const [alias, code] of Object.entries(COUNTRY_ALIASES)) names.set(alias, code);
  countryNames = names;
  return names;
}

/** ISO 3166-1 alpha-2 code of a country written as a code or a name (`Norway`, `USA`, `Deutschland`). */
export function countryCode(raw: string): string | undefined {
  const value = raw.trim();
  if (/^[A-Za-z]{2}$/.test(value)) {
    const code = value.toUpperCase();
    return code === 'UK' ? 'GB' : code;
  }
  return knownCountries().get(comparable(value));
}

export function parseLooseBoolean(raw: string): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (['true', 'yes', 'y', '1', 'x', 'ja', 'oui', 'si', 'on'].includes(value)) return true;
  if (['false', 'no', 'n', '0', 'nein', 'non', 'off'].includes(value)) return false;
  return undefined;
}

/** `1,234.5`, `1 234,5` and `1234` are numbers; anything else is not. */
export function parseLooseNumber(raw: string): number | undefined {
  let value = raw.trim().replace(/[\s\u00a0']/g, '');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(value)) value = value.replaceAll(',', '');
  else if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(value)) value = value.replaceAll('.', '').replace(',', '.');
  else if (/^-?\d+,\d+$/.test(value)) value = value.replace(',', '.');
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
