import * as z from 'zod';
import type { CountryCode } from 'libphonenumber-js';
import { LIMITS } from './limits.ts';
import { cleanText, isCalendarDate, isTimeZone, normalizeEmail, normalizePhone, normalizeTags } from './normalize.ts';
import { checkCustomFields, requiredKeys, type CustomFieldValue, type FieldDefinitionInput } from './custom-fields.ts';
import { ErrorCollector, fieldErrorsOf } from './validation.ts';
import { applyMergePatch, isPlainObject } from './merge-patch.ts';
import { ValidationError } from './errors.ts';
import type { EntityMeta } from './entity.ts';
import { CONSENT_CHANNELS, CONSENT_STATUSES, LIFECYCLE_STAGES, type ContactStatus } from './contact-record.ts';

export {
  completenessOf,
  displayName,
  isErased,
  primaryEmail,
  CONSENT_CHANNELS,
  CONSENT_STATUSES,
  CONTACT_STATUSES,
  LIFECYCLE_STAGES,
  type ConsentChannel,
  type ConsentStatus,
  type ContactStatus,
  type ErasedContact,
  type LifecycleStage,
} from './contact-record.ts';

const name = z.string().max(LIMITS.maxNameLength);
const text = z.string().max(LIMITS.maxTextLength);
const shortText = z.string().max(LIMITS.maxTagLength);
const id = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a Kith id');

export const EmailEntry = z.strictObject({
  address: z.string().max(320),
  label: shortText.optional(),
  primary: z.boolean().optional(),
});
export const PhoneEntry = z.strictObject({
  number: z.string().max(64),
  label: shortText.optional(),
  primary: z.boolean().optional(),
});
export const PostalAddress = z.strictObject({
  street: text.optional(),
  street2: text.optional(),
  city: name.optional(),
  postalCode: shortText.optional(),
  region: name.optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as GB')
    .optional(),
});
export const ConsentEntry = z.strictObject({
  status: z.enum(CONSENT_STATUSES),
  at: z.iso.datetime({ offset: true }).optional(),
  source: shortText.optional(),
});
const channelKey = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a lower-case key');

/** The writable shape of a contact, as clients send it on create and as a patch result. */
export const ContactInput = z.strictObject({
  firstName: name.optional(),
  middleName: name.optional(),
  lastName: name.optional(),
  nickname: name.optional(),
  prefix: shortText.optional(),
  suffix: shortText.optional(),
  emails: z.array(EmailEntry).max(LIMITS.maxEmailsPerContact).optional(),
  phones: z.array(PhoneEntry).max(LIMITS.maxPhonesPerContact).optional(),
  birthday: z.string().refine(isCalendarDate, 'must be a date as YYYY-MM-DD').optional(),
  jobTitle: name.optional(),
  department: name.optional(),
  companyId: id.optional(),
  lifecycleStage: z.enum(LIFECYCLE_STAGES).optional(),
  leadSource: shortText.optional(),
  ownerId: shortText.optional(),
  tags: z.array(z.string().max(LIMITS.maxTagLength)).max(LIMITS.maxTagsPerContact).optional(),
  customFields: z.record(z.string(), z.unknown()).optional(),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').optional(),
  address: PostalAddress.optional(),
  socialProfiles: z.record(channelKey, z.url({ protocol: /^https?$/ })).optional(),
  externalIds: z
    .record(channelKey, z.string().min(1).max(LIMITS.maxTagLength))
    .refine((ids) => Object.keys(ids).length <= LIMITS.maxExternalIds, `at most ${LIMITS.maxExternalIds} external ids`)
    .optional(),
  consent: z.partialRecord(z.enum(CONSENT_CHANNELS), ConsentEntry).optional(),
});
export type ContactInput = z.output<typeof ContactInput>;

/** Fields the server owns; a client that sends them gets a 422 naming them. */
export const READ_ONLY_CONTACT_FIELDS = [
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'status',
  'lastInteractionAt',
  'engagementScore',
  'completeness',
  'mergedFrom',
  'mergedInto',
] as const;

export interface Email {
  address: string;
  label?: string;
  primary: boolean;
}
export interface Phone {
  number: string;
  label?: string;
  primary: boolean;
}

/** A contact's fields after validation and normalization: what the store persists. */
export interface ContactFields extends Omit<ContactInput, 'emails' | 'phones' | 'tags' | 'customFields'> {
  emails: Email[];
  phones: Phone[];
  tags: string[];
  customFields: Record<string, CustomFieldValue>;
}

export interface Contact extends ContactFields, EntityMeta {
  status: ContactStatus;
  completeness: number;
  lastInteractionAt?: string;
  engagementScore?: number;
  mergedInto?: string;
  mergedFrom?: string[];
}

export interface ContactRules {
  definitions: ReadonlyMap<string, FieldDefinitionInput>;
  defaultRegion: CountryCode;
}

type EmailEntryInput = z.output<typeof EmailEntry>;
type PhoneEntryInput = z.output<typeof PhoneEntry>;

/** The object entries of what may be an array, with their positions. */
function entriesOf(value: unknown): { entry: Record<string, unknown>; index: number }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry, index) => (isPlainObject(entry) ? [{ entry, index }] : []));
}

function primaryFirst<T extends { primary?: boolean }>(
  entries: T[],
  key: (e: T) => string,
  path: string,
  errors: ErrorCollector,
): (T & { primary: boolean })[] {
  const unique = new Map<string, T>();
  for (const entry of entries) if (!unique.has(key(entry))) unique.set(key(entry), entry);
  const list = [...unique.values()];
  const primaries = list.filter((e) => e.primary === true);
  if (primaries.length > 1) errors.add(path, 'only one entry can be primary');
  const primary = primaries[0] ?? list[0];
  return list.map((e) => ({ ...e, primary: e === primary }));
}

function cleanObject<T extends Record<string, unknown>>(value: T | undefined): T | undefined {
  if (!value) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const cleaned = typeof v === 'string' ? cleanText(v) : v;
    if (cleaned !== undefined) out[k] = cleaned;
  }
  return Object.keys(out).length > 0 ? (out as T) : undefined;
}

/**
 * Validates a full contact input and returns it normalized: text trimmed, emails lower-cased,
 * phones in E.164, tags normalized, custom fields checked against their definitions.
 * `touchedCustomFields` limits the custom-field checks to the keys this write changes.
 */
export function normalizeContact(input: unknown, rules: ContactRules, touchedCustomFields?: ReadonlySet<string>): ContactFields {
  const result = ContactInput.safeParse(input);
  const errors = new ErrorCollector();
  if (!result.success) errors.addAll(fieldErrorsOf(result.error));
  // Check channels and custom fields even when the shape has other errors, so one response names them all.
  const raw = isPlainObject(input) ? input : {};
  const emails = entriesOf(raw.emails).flatMap(({ entry, index }) => {
    if (typeof entry.address !== 'string') return [];
    const address = normalizeEmail(entry.address);
    if (!address) errors.add(`emails[${index}].address`, 'must be a valid email address');
    return address ? [{ ...(entry as EmailEntryInput), address, label: cleanText(entry.label as string | undefined) }] : [];
  });
  const phones = entriesOf(raw.phones).flatMap(({ entry, index }) => {
    if (typeof entry.number !== 'string') return [];
    const number = normalizePhone(entry.number, rules.defaultRegion);
    if (!number) errors.add(`phones[${index}].number`, 'must be a valid phone number (add the country code, e.g. +44)');
    return number ? [{ ...(entry as PhoneEntryInput), number, label: cleanText(entry.label as string | undefined) }] : [];
  });
  const customValues = isPlainObject(raw.customFields) ? raw.customFields : {};
  const touched = touchedCustomFields ?? new Set([...Object.keys(customValues), ...requiredKeys(rules.definitions)]);
  const custom = checkCustomFields(customValues, rules.definitions, touched, rules);
  errors.addAll(custom.errors);
  const primaryEmails = primaryFirst(emails, (e) => e.address, 'emails', errors);
  const primaryPhones = primaryFirst(phones, (p) => p.number, 'phones', errors);
  errors.throwIfAny();
  const parsed = result.data!;

  const fields: ContactFields = {
    firstName: cleanText(parsed.firstName),
    middleName: cleanText(parsed.middleName),
    lastName: cleanText(parsed.lastName),
    nickname: cleanText(parsed.nickname),
    prefix: cleanText(parsed.prefix),
    suffix: cleanText(parsed.suffix),
    emails: primaryEmails.map(dropUndefined),
    phones: primaryPhones.map(dropUndefined),
    birthday: parsed.birthday,
    jobTitle: cleanText(parsed.jobTitle),
    department: cleanText(parsed.department),
    companyId: parsed.companyId,
    lifecycleStage: parsed.lifecycleStage,
    leadSource: cleanText(parsed.leadSource),
    ownerId: cleanText(parsed.ownerId),
    tags: normalizeTags(parsed.tags ?? []),
    customFields: custom.values,
    timeZone: parsed.timeZone,
    address: cleanObject(parsed.address),
    socialProfiles: cleanObject(parsed.socialProfiles),
    externalIds: cleanObject(parsed.externalIds),
    consent: parsed.consent && Object.keys(parsed.consent).length > 0 ? parsed.consent : undefined,
  };
  if (fields.address?.country) fields.address.country = fields.address.country.toUpperCase();

  if (!fields.firstName && !fields.lastName && !fields.nickname && fields.emails.length === 0 && fields.phones.length === 0) {
    errors.add('(body)', 'a contact needs at least a name, an email address or a phone number');
  }
  errors.throwIfAny();
  return dropUndefined(fields);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The writable view of a stored contact, i.e. what a merge patch applies to. */
export function writableFields(contact: Contact): ContactInput {
  const {
    id: _id,
    version: _v,
    createdAt: _c,
    updatedAt: _u,
    createdBy: _cb,
    updatedBy: _ub,
    status: _s,
    completeness: _cp,
    lastInteractionAt: _l,
    engagementScore: _e,
    mergedInto: _mi,
    mergedFrom: _mf,
    ...fields
  } = contact;
  return fields as ContactInput;
}

/**
 * Applies a JSON merge patch to a contact and returns the normalized result.
 * Read-only fields in the patch are rejected by name rather than silently ignored.
 */
export function patchContact(current: Contact, patch: unknown, rules: ContactRules): ContactFields {
  if (!isPlainObject(patch)) throw ValidationError.of('(body)', 'a merge patch must be a JSON object');
  const readOnly = READ_ONLY_CONTACT_FIELDS.filter((field) => field in patch);
  if (readOnly.length > 0) {
    throw new ValidationError(readOnly.map((field) => ({ path: field, message: 'is read-only' })));
  }
  const next = applyMergePatch(writableFields(current), patch);
  const customPatch = patch.customFields;
  const touched = new Set(
    customPatch === null ? Object.keys(current.customFields ?? {}) : isPlainObject(customPatch) ? Object.keys(customPatch) : [],
  );
  return normalizeContact(next, rules, touched);
}
