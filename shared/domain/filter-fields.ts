import type { CountryCode } from 'libphonenumber-js';
import { LIFECYCLE_STAGES, CONTACT_STATUSES, CONSENT_CHANNELS, CONSENT_STATUSES } from './contact-record.ts';
import type { Contact } from './contact.ts';
import type { FieldDefinitionInput, FieldType } from './custom-fields.ts';
import { isCalendarDate, normalizeEmail, normalizePhone, normalizeTags } from './normalize.ts';
import { foldText } from './search-text.ts';

/**
 * The fields a filter, a sort or a facet can name, and how each one reads a contact. Every
 * interpreter (the evaluator, the OpenSearch document and query, the embedded index) goes through
 * these projections, so a value means the same thing everywhere.
 */

/**
 * - `text`: human text, compared case- and accent-insensitively (stored folded).
 * - `keyword`: exact values: ids, enums, tags, addresses, E.164 phones.
 * - `number`; `date` (a calendar day) and `datetime`, both compared as epoch milliseconds (UTC).
 */
export type FieldKind = 'text' | 'keyword' | 'number' | 'date' | 'datetime' | 'boolean';

export type Scalar = string | number | boolean;

export interface ValueContext {
  defaultRegion: CountryCode;
}

export interface FieldSpec {
  /** As filters name it: `lastName`, `emails.address`, `customFields.tier`. */
  path: string;
  kind: FieldKind;
  /** Holds a list (tags, emails): `contains` applies, sorting does not. */
  multi: boolean;
  /** Offered as a facet (exact values worth counting). */
  facet: boolean;
  /** Flat field of the search document; custom fields live in typed objects (`custom_num.<key>`). */
  docField: string;
  /** Closed set of values, when there is one: a value outside it is a 422, not an empty result. */
  options?: readonly string[];
  /** The field's values on a contact, normalized as they are compared. Empty when it has none. */
  values(contact: Contact): Scalar[];
  /** A filter's string argument, normalized like the values (folded, lower-cased, E.164…). */
  normalize(raw: string, context: ValueContext): string;
}

const asString = (raw: string) => raw.toWellFormed();
const fold = (raw: string) => foldText(raw);

/** Epoch milliseconds of `YYYY-MM-DD` (its UTC midnight) or of an ISO instant; `undefined` when not one. */
export function epochMillis(value: unknown, kind: 'date' | 'datetime'): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (kind === 'date') return isCalendarDate(value) ? Date.parse(`${value}T00:00:00Z`) : undefined;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const millis = Date.parse(value);
  return Number.isFinite(millis) ? millis : undefined;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** Projects raw values to what a field of `kind` compares; anything of another type is no value. */
function project(kind: FieldKind, raw: unknown, normalize: (value: string) => string): Scalar[] {
  const out = new Set<Scalar>();
  for (const value of listOf(raw)) {
    switch (kind) {
      case 'text':
      case 'keyword':
        if (typeof value === 'string') {
          const normalized = normalize(value);
          if (normalized !== '') out.add(normalized);
        }
        break;
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value)) out.add(value === 0 ? 0 : value);
        break;
      case 'boolean':
        if (typeof value === 'boolean') out.add(value);
        break;
      case 'date':
      case 'datetime': {
        const millis = epochMillis(value, kind);
        if (millis !== undefined) out.add(millis);
        break;
      }
    }
  }
  return [...out];
}

interface CoreField {
  kind: FieldKind;
  read: (contact: Contact) => unknown;
  multi?: boolean;
  facet?: boolean;
  options?: readonly string[];
  normalize?: (raw: string, context: ValueContext) => string;
}

const lowerCase = (raw: string) => raw.toWellFormed().trim().toLowerCase();

const CORE: Record<string, CoreField> = {
  id: { kind: 'keyword', read: (c) => c.id },
  firstName: { kind: 'text', read: (c) => c.firstName },
  middleName: { kind: 'text', read: (c) => c.middleName },
  lastName: { kind: 'text', read: (c) => c.lastName },
  nickname: { kind: 'text', read: (c) => c.nickname },
  prefix: { kind: 'text', read: (c) => c.prefix },
  suffix: { kind: 'text', read: (c) => c.suffix },
  jobTitle: { kind: 'text', read: (c) => c.jobTitle },
  department: { kind: 'text', read: (c) => c.department },
  'emails.address': {
    kind: 'keyword',
    multi: true,
    read: (c) => c.emails?.map((e) => e.address),
    normalize: (raw) => normalizeEmail(raw) ?? lowerCase(raw),
  },
  'emails.label': { kind: 'text', multi: true, read: (c) => c.emails?.map((e) => e.label) },
  'phones.number': {
    kind: 'keyword',
    multi: true,
    read: (c) => c.phones?.map((p) => p.number),
    normalize: (raw, context) => normalizePhone(raw, context.defaultRegion) ?? raw.toWellFormed().trim(),
  },
  'phones.label': { kind: 'text', multi: true, read: (c) => c.phones?.map((p) => p.label) },
  birthday: { kind: 'date', read: (c) => c.birthday },
  companyId: { kind: 'keyword', facet: true, read: (c) => c.companyId },
  ownerId: { kind: 'keyword', facet: true, read: (c) => c.ownerId },
  lifecycleStage: { kind: 'keyword', facet: true, options: LIFECYCLE_STAGES, read: (c) => c.lifecycleStage },
  leadSource: { kind: 'keyword', facet: true, read: (c) => c.leadSource },
  tags: {
    kind: 'keyword',
    multi: true,
    facet: true,
    read: (c) => c.tags,
    normalize: (raw) => normalizeTags([raw.toWellFormed()])[0] ?? '',
  },
  timeZone: { kind: 'keyword', read: (c) => c.timeZone },
  'address.city': { kind: 'text', read: (c) => c.address?.city },
  'address.region': { kind: 'text', read: (c) => c.address?.region },
  'address.postalCode': { kind: 'text', read: (c) => c.address?.postalCode },
  'address.country': {
    kind: 'keyword',
    facet: true,
    read: (c) => c.address?.country,
    normalize: (raw) => raw.toWellFormed().trim().toUpperCase(),
  },
  status: { kind: 'keyword', options: CONTACT_STATUSES, read: (c) => c.status },
  createdAt: { kind: 'datetime', read: (c) => c.createdAt },
  updatedAt: { kind: 'datetime', read: (c) => c.updatedAt },
  lastInteractionAt: { kind: 'datetime', read: (c) => c.lastInteractionAt },
  engagementScore: { kind: 'number', read: (c) => c.engagementScore },
  completeness: { kind: 'number', read: (c) => c.completeness },
  createdBy: { kind: 'keyword', read: (c) => c.createdBy },
  updatedBy: { kind: 'keyword', read: (c) => c.updatedBy },
  // Consent per channel: `consent.email.status eq granted` selects who may be emailed.
  ...Object.fromEntries(
    CONSENT_CHANNELS.flatMap((channel): [string, CoreField][] => [
      [
        `consent.${channel}.status`,
        { kind: 'keyword', facet: true, options: CONSENT_STATUSES, read: (c) => c.consent?.[channel]?.status },
      ],
      [`consent.${channel}.at`, { kind: 'datetime', read: (c) => c.consent?.[channel]?.at }],
    ]),
  ),
};

function specOf(path: string, docField: string, field: CoreField): FieldSpec {
  const normalizeArg = field.normalize ?? (field.kind === 'text' ? fold : asString);
  return {
    path,
    kind: field.kind,
    multi: field.multi ?? false,
    facet: field.facet ?? false,
    docField,
    ...(field.options ? { options: field.options } : {}),
    normalize: normalizeArg,
    // Stored values are already normalized by the contact's own rules; folding is the only extra step.
    values: (contact) => project(field.kind, field.read(contact), field.kind === 'text' ? fold : asString),
  };
}

/** The core fields, by filter path. */
export const CORE_FIELDS: ReadonlyMap<string, FieldSpec> = new Map(
  Object.entries(CORE).map(([path, field]) => [path, specOf(path, path.replaceAll('.', '_'), field)]),
);

export const CUSTOM_FIELD_PREFIX = 'customFields.';

/** Typed objects of the search document: one per kind, so two definitions' types never collide. */
export const CUSTOM_DOC_OBJECTS = {
  keyword: 'custom_kw',
  number: 'custom_num',
  date: 'custom_date',
  boolean: 'custom_bool',
} as const;

const CUSTOM_KINDS: Record<FieldType, FieldKind> = {
  text: 'text',
  number: 'number',
  date: 'date',
  boolean: 'boolean',
  enum: 'keyword',
  multi_enum: 'keyword',
  email: 'keyword',
  phone: 'keyword',
  url: 'keyword',
};

function customDocObject(kind: FieldKind): string {
  if (kind === 'number') return CUSTOM_DOC_OBJECTS.number;
  if (kind === 'date' || kind === 'datetime') return CUSTOM_DOC_OBJECTS.date;
  if (kind === 'boolean') return CUSTOM_DOC_OBJECTS.boolean;
  return CUSTOM_DOC_OBJECTS.keyword;
}

/** The spec of `customFields.<key>`, typed by its definition. */
export function customFieldSpec(definition: FieldDefinitionInput): FieldSpec {
  const kind = CUSTOM_KINDS[definition.type];
  const normalize: CoreField['normalize'] =
    definition.type === 'email'
      ? (raw) => normalizeEmail(raw) ?? lowerCase(raw)
      : definition.type === 'phone'
        ? (raw, context) => normalizePhone(raw, context.defaultRegion) ?? raw.toWellFormed().trim()
        : undefined;
  const spec = specOf(`${CUSTOM_FIELD_PREFIX}${definition.key}`, `${customDocObject(kind)}.${definition.key}`, {
    kind,
    multi: definition.type === 'multi_enum',
    facet: definition.type === 'enum' || definition.type === 'multi_enum',
    ...(definition.options && kind === 'keyword' ? { options: definition.options } : {}),
    read: (c) => c.customFields?.[definition.key],
    ...(normalize ? { normalize } : {}),
  });
  return spec;
}

/** The spec a path names, or `undefined` when no core field or custom definition has it. */
export function fieldSpecOf(path: string, definitions: ReadonlyMap<string, FieldDefinitionInput>): FieldSpec | undefined {
  if (path.startsWith(CUSTOM_FIELD_PREFIX)) {
    const definition = definitions.get(path.slice(CUSTOM_FIELD_PREFIX.length));
    return definition ? customFieldSpec(definition) : undefined;
  }
  return CORE_FIELDS.get(path);
}

/** Every field a contact can be filtered on, given the current custom field definitions. */
export function allFieldSpecs(definitions: ReadonlyMap<string, FieldDefinitionInput>): FieldSpec[] {
  return [...CORE_FIELDS.values(), ...[...definitions.values()].map(customFieldSpec)];
}
