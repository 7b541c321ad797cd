import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Text as search compares it: case- and accent-folded, in TypeScript, so every index (OpenSearch
 * with core analyzers only, the embedded one) sees the very same terms.
 */

/** Letters that Unicode decomposition leaves alone but a person types without their marks. */
const LETTER_FOLDS: Record<string, string> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  ł: 'l',
  Ł: 'l',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  þ: 'th',
  Þ: 'th',
  ı: 'i',
};
const FOLDABLE = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'g');

/** `Zoë Müller-Łukasz` → `zoe muller-lukasz`: compatibility-decomposed, marks dropped, lower-case. */
export function foldText(value: string): string {
  return value
    .toWellFormed()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(FOLDABLE, (letter) => LETTER_FOLDS[letter]!)
    .toLowerCase()
    .normalize('NFC');
}

/** Scripts written without spaces between words: every suffix becomes a term, so a prefix search finds any part. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

/**
 * Terms of a name: folded words, plus the joined form of hyphenated and apostrophised names
 * (`O'Brien` → `o`, `brien`, `obrien`; `Jean-Luc` → `jean`, `luc`, `jeanluc`).
 */
export function nameTerms(value: string): string[] {
  const terms = new Set<string>();
  for (const word of foldText(value).split(/\s+/)) {
    const parts = word.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    for (const part of parts) {
      terms.add(part);
      if (UNSPACED.test(part)) for (let i = 1; i < part.length; i++) terms.add(part.slice(i));
    }
    if (parts.length > 1) terms.add(parts.join(''));
  }
  return [...terms];
}

/** `ada.lovelace@example.co.uk` → the address, its local part, its domain and their words. */
export function emailTerms(address: string): string[] {
  const email = address.toWellFormed().toLowerCase();
  const at = email.lastIndexOf('@');
  const local = at >= 0 ? email.slice(0, at) : email;
  const domain = at >= 0 ? email.slice(at + 1) : '';
  const words = `${local} ${domain}`.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return [...new Set([email, local, domain, ...words].filter(Boolean))];
}

/** Shortest digit run a phone search looks at: fewer digits match nearly everyone. */
export const MIN_PHONE_DIGITS = 3;

/**
 * Digit forms of a stored E.164 number, each with every suffix, so a prefix search on them finds
 * any contiguous digits however they were typed: `+44 20 7123…`, `020 7123…`, `7123 4567`.
 */
export function phoneTerms(e164: string): string[] {
  const number = e164.split(';')[0]!;
  const forms = new Set([number.replace(/\D/g, '')]);
  const parsed = parsePhoneNumberFromString(number);
  if (parsed) forms.add(parsed.formatNational().replace(/\D/g, ''));
  const terms = new Set<string>();
  for (const form of forms) {
    for (let i = 0; i <= form.length - MIN_PHONE_DIGITS; i++) terms.add(form.slice(i));
  }
  return [...terms];
}

export interface AnalyzedQuery {
  /** The folded query, whitespace collapsed: compared with whole names and addresses for ranking. */
  whole: string;
  /**
   * Each word must match a name or an email term (exactly, as a prefix, or with a typo) in one of
   * its forms: `o'brien` → [`obrien`]; `example.com` → [`example.com`, `examplecom`].
   */
  words: string[][];
  /** Set when the query reads as a phone number: its digits, matched as a prefix of a phone term. */
  phoneDigits?: string;
}

const PHONE_QUERY = /^[\d\s()+\-./]+$/;
/** Punctuation inside a word (an address, a domain) keeps the word whole as one of its forms. */
const INNER_PUNCTUATION = /[\p{L}\p{N}][@.+_-][\p{L}\p{N}]/u;

/** What a free-text query means to every index. A blank query analyzes to no words. */
export function analyzeQuery(query: string): AnalyzedQuery {
  const whole = foldText(query).replace(/\s+/g, ' ').trim();
  const digits = whole.replace(/\D/g, '');
  if (PHONE_QUERY.test(whole) && digits.length >= MIN_PHONE_DIGITS) return { whole, words: [], phoneDigits: digits };
  const words = new Map<string, string[]>();
  for (const word of whole.split(' ')) {
    const joined = word.split(/[^\p{L}\p{N}]+/u).join('');
    const forms = [...new Set([INNER_PUNCTUATION.test(word) ? word : '', joined].filter(Boolean))];
    if (forms.length > 0) words.set(forms.join(' '), forms);
  }
  return { whole, words: [...words.values()] };
}

/** Edits a word may have and still match (OpenSearch's AUTO fuzziness, which the embedded index copies). */
export function typoBudget(word: string): number {
  const length = [...word].length;
  return length <= 2 ? 0 : length <= 5 ? 1 : 2;
}

/** What free-text search reads of a contact, as folded terms. */
export interface ContactSearchTerms {
  /** Terms of every name (first, middle, last, nick). */
  names: string[];
  /** Whole folded names, `ada lovelace`, `lovelace ada`, `ada`: an exact match ranks first. */
  fullNames: string[];
  /** Whole addresses. */
  emails: string[];
  /** Addresses, local parts, domains and their words. */
  emailTerms: string[];
  /** Phone digit forms with their suffixes. */
  phones: string[];
  /** Terms of the company's name. */
  company: string[];
}

export function searchTermsOf(
  contact: {
    firstName?: string;
    middleName?: string;
    lastName?: string;
    nickname?: string;
    emails?: readonly { address: string }[];
    phones?: readonly { number: string }[];
  },
  companyName?: string,
): ContactSearchTerms {
  const parts = [contact.firstName, contact.middleName, contact.lastName, contact.nickname].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  const first = contact.firstName ?? contact.nickname;
  const whole = (...names: (string | undefined)[]) => foldText(names.filter(Boolean).join(' ')).replace(/\s+/g, ' ').trim();
  const fullNames = new Set(
    [
      whole(contact.firstName, contact.lastName),
      whole(contact.lastName, contact.firstName),
      whole(contact.firstName, contact.middleName, contact.lastName),
      whole(first, contact.lastName),
      ...parts.map((part) => whole(part)),
    ].filter(Boolean),
  );
  const emails = (contact.emails ?? []).map((e) => e.address.toWellFormed().toLowerCase());
  return {
    names: [...new Set(parts.flatMap(nameTerms))],
    fullNames: [...fullNames],
    emails,
    emailTerms: [...new Set(emails.flatMap(emailTerms))],
    phones: [...new Set((contact.phones ?? []).flatMap((p) => phoneTerms(p.number)))],
    company: companyName ? nameTerms(companyName) : [],
  };
}
