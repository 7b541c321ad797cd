import type { Contact, ContactFields, Email, Phone } from './contact.ts';
import { LIMITS } from './limits.ts';

/**
 * Survivorship: the fields of the contact two records become when a steward merges them.
 *
 * - Every single-valued field takes the newest non-empty value: from the record updated last,
 *   unless it is empty there. Objects (address) count as one value.
 * - Emails, phones and tags are united; the survivor's primary email and phone stay primary.
 * - Custom fields, social profiles and consent merge key by key, newest non-empty value first.
 * - External ids are united; when both hold an id for the same system, the survivor's stays
 *   (the loser's id claim still moves to the survivor, so a sync by either id finds it).
 */
export function survivingFields(
  survivor: Contact,
  loser: Contact,
): { fields: ContactFields; mergedFrom: string[]; lastInteractionAt?: string } {
  const loserIsNewer = loser.updatedAt > survivor.updatedAt;
  const [newer, older] = loserIsNewer ? [loser, survivor] : [survivor, loser];
  const pick = <K extends keyof ContactFields>(key: K): ContactFields[K] | undefined =>
    isEmpty(newer[key]) ? older[key] : newer[key];
  const fields: ContactFields = {
    firstName: pick('firstName'),
    middleName: pick('middleName'),
    lastName: pick('lastName'),
    nickname: pick('nickname'),
    prefix: pick('prefix'),
    suffix: pick('suffix'),
    birthday: pick('birthday'),
    jobTitle: pick('jobTitle'),
    department: pick('department'),
    companyId: pick('companyId'),
    lifecycleStage: pick('lifecycleStage'),
    leadSource: pick('leadSource'),
    ownerId: pick('ownerId'),
    timeZone: pick('timeZone'),
    address: pick('address'),
    emails: unite(survivor.emails, loser.emails, (e) => e.address, LIMITS.maxEmailsPerContact) as Email[],
    phones: unite(survivor.phones, loser.phones, (p) => p.number, LIMITS.maxPhonesPerContact) as Phone[],
    tags: [...new Set([...survivor.tags, ...loser.tags])].slice(0, LIMITS.maxTagsPerContact),
    customFields: byKey(older.customFields, newer.customFields),
    socialProfiles: optional(byKey(older.socialProfiles, newer.socialProfiles)),
    consent: optional(byKey(older.consent, newer.consent)),
    externalIds: optional({ ...loser.externalIds, ...survivor.externalIds }),
  };
  const mergedFrom = [...new Set([...(survivor.mergedFrom ?? []), loser.id, ...(loser.mergedFrom ?? [])])];
  const interactions = [survivor.lastInteractionAt, loser.lastInteractionAt].filter((t): t is string => Boolean(t)).sort();
  return {
    fields: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as ContactFields,
    mergedFrom,
    lastInteractionAt: interactions.at(-1),
  };
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** The survivor's entries first (its primary stays primary), then the loser's new ones, never primary. */
function unite<T extends { primary: boolean }>(
  survivor: readonly T[],
  loser: readonly T[],
  key: (e: T) => string,
  max: number,
): T[] {
  const seen = new Set(survivor.map(key));
  const hasPrimary = survivor.some((e) => e.primary);
  const added = loser.filter((e) => !seen.has(key(e))).map((e) => ({ ...e, primary: !hasPrimary && e.primary }));
  return [...survivor, ...added].slice(0, max);
}

function byKey<V>(
  older: Readonly<Record<string, V>> | undefined,
  newer: Readonly<Record<string, V>> | undefined,
): Record<string, V> {
  const out: Record<string, V> = { ...older };
  for (const [key, value] of Object.entries(newer ?? {})) if (!isEmpty(value)) out[key] = value;
  return out;
}

function optional<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}
