import type { CountryCode } from 'libphonenumber-js';
import {
  DATE_OF_BIRTH_FIELD,
  birthDate,
  companyDomain,
  companyKey,
  foldText,
  matchEmail,
  matchPhone,
  organisationOfDomain,
  personName,
  phoneticCodes,
  postalKey,
  streetKey,
  type MatchEmail,
} from './identity.ts';
import { nicknameGroups } from './nicknames.ts';

/**
 * What the dedup engine needs to know about a person, whatever it comes from: a stored
 * contact (plus its company), an import row, or a reference data set. Every field is optional.
 */
export interface IdentityRecord {
  id: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  nickname?: string;
  prefix?: string;
  suffix?: string;
  emails?: readonly { address: string }[];
  phones?: readonly { number: string }[];
  birthday?: string;
  customFields?: Readonly<Record<string, unknown>>;
  company?: { name?: string; domain?: string };
  address?: { street?: string; street2?: string; city?: string; postalCode?: string; region?: string; country?: string };
}

/** A record normalized for matching, computed once and compared many times. */
export interface MatchProfile {
  id: string;
  first?: string;
  last?: string;
  generation?: string;
  /** Nickname written in its own field (`Bob`), folded. */
  nickname?: string;
  firstCodes: string[];
  lastCodes: string[];
  firstGroups: readonly number[];
  emails: MatchEmail[];
  phones: string[];
  birthDate?: string;
  /** Company names without legal forms, from the company and from a work email's domain. */
  companies: string[];
  /** Company website and work email domains. */
  domains: string[];
  street?: string;
  postalCode?: string;
  city?: string;
  country?: string;
}

export interface ProfileSettings {
  defaultRegion: CountryCode;
}

/** Normalizes a record for matching (names folded, emails canonical, phones E.164 …). */
export function matchProfile(record: IdentityRecord, settings: ProfileSettings): MatchProfile {
  const name = personName(record);
  const emails = uniqueBy(
    (record.emails ?? []).flatMap((e) => matchEmail(e.address) ?? []),
    (e) => e.address,
  );
  const country = record.address?.country?.toUpperCase();
  const region = (country && /^[A-Z]{2}$/.test(country) ? country : settings.defaultRegion) as CountryCode;
  const phones = [...new Set((record.phones ?? []).flatMap((p) => matchPhone(p.number, region) ?? []))];
  const companies = new Set<string>();
  const domains = new Set<string>();
  const ownCompany = record.company?.name ? companyKey(record.company.name) : undefined;
  if (ownCompany) companies.add(ownCompany);
  const website = record.company?.domain ? companyDomain(record.company.domain) : undefined;
  if (website) domains.add(website);
  for (const email of emails) {
    if (email.freeMail) continue;
    domains.add(email.domain);
    const organisation = organisationOfDomain(email.domain);
    if (organisation) companies.add(organisation);
  }
  const nickname = record.nickname ? foldText(record.nickname).split(' ')[0] : undefined;
  const street = record.address?.street ? streetKey(record.address.street) : undefined;
  const postal = record.address?.postalCode ? postalKey(record.address.postalCode) : undefined;
  const city = record.address?.city ? foldText(record.address.city) || undefined : undefined;
  return dropUndefined({
    id: record.id,
    first: name.first,
    last: name.last,
    generation: name.generation,
    nickname: nickname || undefined,
    firstCodes: name.first && name.first.length > 1 ? phoneticCodes(name.first) : [],
    lastCodes: name.last ? phoneticCodes(name.last) : [],
    firstGroups: name.first ? nicknameGroups(name.first) : [],
    emails,
    phones,
    birthDate: birthDate(record.birthday) ?? dateOfBirthField(record.customFields),
    companies: [...companies],
    domains: [...domains],
    street,
    postalCode: postal,
    city,
    country,
  });
}

function dateOfBirthField(custom: IdentityRecord['customFields']): string | undefined {
  for (const [key, value] of Object.entries(custom ?? {})) if (DATE_OF_BIRTH_FIELD.test(key)) return birthDate(value);
  return undefined;
}

/**
 * A short digest of the identity a profile describes. Dismissing a suggestion stores both
 * digests; the pair is suggested again only when one of them changes, i.e. when a name,
 * email, phone, date of birth, company or address changes after normalization.
 */
export function identityFingerprint(profile: MatchProfile): string {
  const parts = [
    profile.first,
    profile.last,
    profile.generation,
    profile.nickname,
    profile.emails
      .map((e) => e.address)
      .sort()
      .join(','),
    profile.phones.slice().sort().join(','),
    profile.birthDate,
    profile.companies.slice().sort().join(','),
    profile.domains.slice().sort().join(','),
    profile.street,
    profile.postalCode,
    profile.city,
    profile.country,
  ];
  return fnv1a(parts.map((p) => p ?? '').join('|'));
}

/** FNV-1a over UTF-16 code units, 52 bits as hex: short, stable, dependency-free. */
export function fnv1a(text: string): string {
  let low = 0x811c9dc5;
  let high = 0;
  for (let i = 0; i < text.length; i++) {
    low ^= text.charCodeAt(i);
    // 64-bit multiply by the FNV prime 2^40 + 0x1b3, kept in two 32-bit halves.
    const lowProduct = low * 0x1b3;
    const carry = Math.floor(lowProduct / 0x100000000);
    high = (high * 0x1b3 + (low << 8) + carry) >>> 0;
    low = lowProduct >>> 0;
  }
  return ((high & 0xfffff) * 0x100000000 + low).toString(16).padStart(13, '0');
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The identity of a stored contact, with its company's name and domain when it has one. */
export function identityOfContact(
  contact: Pick<IdentityRecord, Exclude<keyof IdentityRecord, 'company'>>,
  company?: { name?: string; domain?: string },
): IdentityRecord {
  const { id, firstName, middleName, lastName, nickname, prefix, suffix, emails, phones, birthday, customFields, address } =
    contact;
  return {
    id,
    firstName,
    middleName,
    lastName,
    nickname,
    prefix,
    suffix,
    emails,
    phones,
    birthday,
    customFields,
    address,
    company,
  };
}

/** Contact fields that feed a match profile: a change elsewhere never changes a duplicate. */
export const IDENTITY_FIELDS = [
  'firstName',
  'middleName',
  'lastName',
  'nickname',
  'prefix',
  'suffix',
  'emails',
  'phones',
  'birthday',
  'customFields',
  'address',
] as const;
