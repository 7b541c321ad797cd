import anyAscii from 'any-ascii';
import { doubleMetaphone } from 'double-metaphone';
import type { CountryCode } from 'libphonenumber-js';
import { normalizePhone, normalizeDomain } from '../normalize.ts';
import { nicknameGroups } from './nicknames.ts';

/**
 * Normalization for matching: turns what people type about a person into comparable keys.
 * Unlike storage normalization (shared/domain/normalize.ts), it may discard information
 * (accents, titles, gmail dots), because two values that normalize alike only suggest, never decide.
 */

/** Lower-case ASCII letters, digits and single spaces: accents folded, other scripts transliterated. */
export function foldText(raw: string): string {
  const ascii = anyAscii(raw.normalize('NFKC')).toLowerCase();
  return ascii
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const TITLES = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'professor',
  'sir',
  'dame',
  'lady',
  'lord',
  'rev',
  'fr',
  'herr',
  'frau',
  'mme',
  'mlle',
  'm',
  'sr',
  'sra',
  'srta',
  'don',
  'dona',
  'hon',
  'capt',
  'col',
  'gen',
  'maitre',
  'me',
]);
const SUFFIXES = new Set([
  'jr',
  'junior',
  'sr',
  'senior',
  'ii',
  'iii',
  'iv',
  'v',
  'phd',
  'md',
  'esq',
  'mba',
  'cpa',
  'dds',
  'pe',
  'rn',
  'jd',
  'msc',
  'bsc',
]);
/** Suffixes that tell two people of one family apart; `phd` or `mba` never do. */
const GENERATIONS: Record<string, string> = { jr: 'jr', junior: 'jr', sr: 'sr', senior: 'sr', ii: 'ii', iii: 'iii', iv: 'iv' };
export interface PersonName {
  /** Given name, folded (`robert`); a lone initial stays one letter. */
  first?: string;
  /** Surname with particles joined (`vanderberg`). */
  last?: string;
  /** Generational suffix (`jr`, `sr`, `iii`) when one was written. */
  generation?: string;
}

/**
 * The comparable parts of a name as written in a contact's fields. Titles and degrees are
 * dropped, "Smith, John" in one field is turned round, and a full name typed into the first
 * name field is split at its last word.
 */
export function personName(input: { firstName?: string; lastName?: string; prefix?: string; suffix?: string }): PersonName {
  let generation = generationOf(input.suffix);
  const clean = (raw: string | undefined): string[] => {
    if (!raw) return [];
    return foldText(raw)
      .split(' ')
      .filter((token) => {
        if (token === '') return false;
        if (GENERATIONS[token]) {
          generation ??= GENERATIONS[token];
          return false;
        }
        return !SUFFIXES.has(token);
      });
  };
  const firstRaw = input.firstName ?? '';
  const lastRaw = input.lastName ?? '';
  let firstTokens = clean(firstRaw).filter((token, index, all) => !(index === 0 && all.length > 1 && TITLES.has(token)));
  let lastTokens = clean(lastRaw);
  if (lastTokens.length === 0 && firstRaw.includes(',')) {
    const [surname, given] = firstRaw.split(',', 2);
    lastTokens = clean(surname);
    firstTokens = clean(given);
  } else if (lastTokens.length === 0 && firstTokens.length > 1) {
    lastTokens = firstTokens.slice(-1);
    firstTokens = firstTokens.slice(0, -1);
  }
  const first = firstTokens[0];
  const last = joinSurname(lastTokens);
  return { ...(first ? { first } : {}), ...(last ? { last } : {}), ...(generation ? { generation } : {}) };
}

function generationOf(suffix: string | undefined): string | undefined {
  if (!suffix) return undefined;
  for (const token of foldText(suffix).split(' ')) if (GENERATIONS[token]) return GENERATIONS[token];
  return undefined;
}

/** `van der Berg` → `vanderberg`, `García-Márquez` → `garciamarquez`: spacing of surnames varies, letters do not. */
function joinSurname(tokens: readonly string[]): string | undefined {
  const joined = tokens.join('');
  return joined === '' ? undefined : joined;
}

/** Both Double Metaphone codes of a word, without duplicates or empties. */
export function phoneticCodes(word: string): string[] {
  if (word.length === 0) return [];
  const [primary, secondary] = doubleMetaphone(word);
  return [...new Set([primary, secondary].filter((code) => code !== ''))];
}

/** Providers where dots in the local part are ignored. */
const DOT_BLIND_PROVIDERS = new Set(['gmail.com']);
/** Providers that document `local+tag@` delivering to `local@`. */
const PLUS_TAG_PROVIDERS = new Set([
  'gmail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'fastmail.com',
  'fastmail.fm',
  'protonmail.com',
  'proton.me',
  'pm.me',
  'hey.com',
  'yandex.ru',
  'yandex.com',
]);
const PROVIDER_ALIASES: Record<string, string> = { 'googlemail.com': 'gmail.com', 'ya.ru': 'yandex.ru' };

/**
 * Mailboxes anyone can open: their domain says nothing about an employer, and their local
 * part is the only part that identifies a person.
 */
export const FREE_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'yahoo.de',
  'yahoo.es',
  'yahoo.it',
  'ymail.com',
  'rocketmail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'hotmail.de',
  'outlook.com',
  'outlook.fr',
  'live.com',
  'live.co.uk',
  'live.fr',
  'msn.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'protonmail.com',
  'proton.me',
  'pm.me',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  't-online.de',
  'yandex.ru',
  'yandex.com',
  'ya.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  '126.com',
  'zoho.com',
  'fastmail.com',
  'fastmail.fm',
  'hey.com',
  'orange.fr',
  'wanadoo.fr',
  'free.fr',
  'laposte.net',
  'sfr.fr',
  'btinternet.com',
  'sky.com',
  'comcast.net',
  'verizon.net',
  'att.net',
  'sbcglobal.net',
  'bellsouth.net',
  'cox.net',
  'earthlink.net',
  'libero.it',
  'tiscali.it',
  'seznam.cz',
  'wp.pl',
  'o2.pl',
  'interia.pl',
  'naver.com',
  'hanmail.net',
  'rediffmail.com',
  'inbox.com',
  'mail.com',
  'tutanota.com',
]);

/** Role mailboxes shared by a team: the same `info@` never identifies one person. */
const ROLE_LOCAL_PARTS = new Set([
  'info',
  'contact',
  'hello',
  'sales',
  'support',
  'admin',
  'office',
  'team',
  'mail',
  'enquiries',
  'inquiries',
  'help',
  'billing',
  'accounts',
  'hr',
  'jobs',
  'careers',
  'marketing',
  'noreply',
  'no-reply',
  'webmaster',
  'reception',
  'service',
]);

export interface MatchEmail {
  /** Canonical mailbox: `john.smith+crm@googlemail.com` → `johnsmith@gmail.com`. */
  address: string;
  local: string;
  domain: string;
  /** A shared role mailbox (`info@`), weak evidence of identity. */
  role: boolean;
  freeMail: boolean;
}

/** The canonical mailbox an address delivers to, where the provider's rules are documented. */
export function matchEmail(raw: string): MatchEmail | undefined {
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return undefined;
  let local = raw.slice(0, at).trim().toLowerCase();
  let domain = raw
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
  domain = PROVIDER_ALIASES[domain] ?? domain;
  if (PLUS_TAG_PROVIDERS.has(domain)) local = local.split('+')[0] ?? local;
  if (DOT_BLIND_PROVIDERS.has(domain)) local = local.replaceAll('.', '');
  if (local === '' || domain === '') return undefined;
  return {
    address: `${local}@${domain}`,
    local,
    domain,
    role: ROLE_LOCAL_PARTS.has(local),
    freeMail: FREE_MAIL_DOMAINS.has(domain),
  };
}

/** A phone in E.164 without extension, or `undefined` when it cannot be a phone. */
export function matchPhone(raw: string, defaultRegion: CountryCode): string | undefined {
  const e164 = raw.startsWith('+') && /^\+\d{6,15}(;ext=\d+)?$/.test(raw) ? raw : normalizePhone(raw, defaultRegion);
  return e164?.split(';')[0];
}

const LEGAL_FORMS = new Set([
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'cie',
  'llc',
  'llp',
  'lp',
  'ltd',
  'limited',
  'plc',
  'gmbh',
  'mbh',
  'ag',
  'kg',
  'ohg',
  'ug',
  'ev',
  'sa',
  'sas',
  'sasu',
  'sarl',
  'eurl',
  'sca',
  'snc',
  'bv',
  'nv',
  'vof',
  'spa',
  'srl',
  'sl',
  'sau',
  'oy',
  'oyj',
  'ab',
  'as',
  'asa',
  'aps',
  'pty',
  'pvt',
  'pte',
  'kk',
  'kft',
  'zrt',
  'sro',
  'as',
  'doo',
  'ooo',
  'zao',
  'oao',
  'pjsc',
  'group',
  'holding',
  'holdings',
  'the',
  'and',
]);

/** Company name without legal form or punctuation: `ACME, Inc.` → `acme`, `Müller GmbH & Co. KG` → `muller`. */
export function companyKey(raw: string): string | undefined {
  const tokens = foldText(raw.replace(/&/g, ' and '))
    .split(' ')
    .filter((token) => token !== '' && !LEGAL_FORMS.has(token));
  const key = tokens.join(' ');
  return key === '' ? undefined : key;
}

/** Second-level public suffixes under which the organisation is the third label (acme.co.uk). */
const SECOND_LEVEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'ltd.uk',
  'plc.uk',
  'me.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.nz',
  'org.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'co.kr',
  'com.br',
  'com.mx',
  'com.ar',
  'com.cn',
  'com.hk',
  'com.sg',
  'com.tr',
  'co.in',
  'co.za',
  'co.il',
  'com.pl',
  'com.es',
  'co.id',
  'com.my',
  'com.ph',
]);

/** The organisation's own label in a domain: `mail.acme.co.uk` → `acme`. */
export function organisationOfDomain(domain: string): string | undefined {
  const labels = domain.split('.').filter(Boolean);
  if (labels.length < 2) return undefined;
  const lastTwo = labels.slice(-2).join('.');
  const index = SECOND_LEVEL_SUFFIXES.has(lastTwo) ? labels.length - 3 : labels.length - 2;
  return index >= 0 ? labels[index] : undefined;
}

const STREET_WORDS: Record<string, string> = {
  st: 'street',
  str: 'street',
  strasse: 'street',
  ave: 'avenue',
  av: 'avenue',
  avenida: 'avenue',
  blvd: 'boulevard',
  blv: 'boulevard',
  bd: 'boulevard',
  rd: 'road',
  dr: 'drive',
  ln: 'lane',
  ct: 'court',
  pl: 'place',
  sq: 'square',
  hwy: 'highway',
  pkwy: 'parkway',
  cres: 'crescent',
  ter: 'terrace',
  terr: 'terrace',
  cir: 'circle',
  trl: 'trail',
  pk: 'park',
  plz: 'plaza',
  mt: 'mount',
  ft: 'fort',
  n: 'north',
  s: 'south',
  e: 'east',
  w: 'west',
  ne: 'northeast',
  nw: 'northwest',
  se: 'southeast',
  sw: 'southwest',
  apt: 'unit',
  ste: 'unit',
  suite: 'unit',
  fl: 'floor',
  no: 'number',
  first: '1st',
  second: '2nd',
  third: '3rd',
  fourth: '4th',
  fifth: '5th',
};

/** Street line with standard words: `12224 Ventura Blvd.` → `12224 ventura boulevard`. */
export function streetKey(raw: string): string | undefined {
  const tokens = foldText(raw)
    .split(' ')
    .filter(Boolean)
    .map((token) => STREET_WORDS[token] ?? token);
  const key = tokens.join(' ');
  return key === '' ? undefined : key;
}

/** Postal codes compare without spaces or case: `sw1a 1aa` = `SW1A1AA`. */
export function postalKey(raw: string): string | undefined {
  const key = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return key === '' ? undefined : key;
}

/** `YYYY-MM-DD` from the forms dates of birth arrive in, or `undefined`. */
export function birthDate(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(raw.trim());
  if (iso) return `${iso[1]}-${iso[2]!.padStart(2, '0')}-${iso[3]!.padStart(2, '0')}`;
  return undefined;
}

/** Custom field keys that hold a date of birth in the data teams bring (`dob`, `dateOfBirth`…). */
export const DATE_OF_BIRTH_FIELD = /^(dob|date_?of_?birth|birth_?date|birthdate|geburtsdatum|date_?naissance)$/i;

/** The nickname groups of a given name, exported for blocking. */
export { nicknameGroups };

/** Normalized domain of a company website, reusing the storage rules. */
export function companyDomain(raw: string): string | undefined {
  return normalizeDomain(raw);
}
