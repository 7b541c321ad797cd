import type { DynamoDBRecord } from 'aws-lambda';
import { LIMITS } from '../domain/limits.ts';
import { isKeyAttribute } from '../store/items.ts';
import { TABLE } from '../store/table.ts';
import { jsonOfImage, sameJson, sameValue, type StreamImage } from './attribute-values.ts';
import { BOOKKEEPING_FIELDS, ENTITY_EVENTS, type EntityEventSpec, type Transition } from './entity-events.ts';
import {
  EVENT_SOURCE,
  TRUNCATED,
  type BusEntry,
  type DetailType,
  type EventData,
  type FieldChange,
  type JsonValue,
} from './types.ts';

type Image = { [attribute: string]: JsonValue };

/** Why a record produced no event: most items are not entities; `malformed` deserves a warning. */
export type Skipped = { skipped: 'not_an_entity' | 'malformed'; eventId: string | undefined };

const ACTIONS = { INSERT: 'created', MODIFY: 'updated', REMOVE: 'deleted' } as const;

/** DynamoDB's own principal on a stream record of a TTL deletion. */
const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

/**
 * Turns one DynamoDB stream record (NEW_AND_OLD_IMAGES, as Lambda and Pipes deliver it) into
 * the bus entry of its domain event. Total: it never throws, whatever the record holds, because
 * a throwing enrichment would block its shard.
 */
export function translateRecord(
  record: DynamoDBRecord,
  registry: Readonly<Record<string, EntityEventSpec>> = ENTITY_EVENTS,
): BusEntry | Skipped {
  const eventId = record.eventID;
  const newImage = record.dynamodb?.NewImage as StreamImage | undefined;
  const oldImage = record.dynamodb?.OldImage as StreamImage | undefined;
  const entity = (newImage ?? oldImage)?.[TABLE.typeAttribute]?.S;
  const spec = entity === undefined ? undefined : registry[entity];
  if (!spec || entity === undefined) return { skipped: 'not_an_entity', eventId };

  const action = record.eventName ? ACTIONS[record.eventName] : undefined;
  const after = newImage ? jsonOfImage(newImage) : undefined;
  const before = oldImage ? jsonOfImage(oldImage) : undefined;
  const current = after ?? before;
  const id = current?.id;
  const version = versionOf(action, after, before);
  if (!eventId || !action || typeof id !== 'string' || version === undefined) return { skipped: 'malformed', eventId };

  const withheld = withholdsValues(spec, before, after);
  const transition = action === 'updated' ? spec.transitions?.find((t) => applies(t, before ?? {}, after ?? {})) : undefined;
  const type: DetailType = transition?.type ?? (action === 'updated' ? undefined : spec.names?.[action]) ?? `${entity}.${action}`;
  // Withheld: the event names the transition's field only, and carries no data at all.
  const changedFields = withheld ? (transition ? [transition.when.field] : []) : changedFieldsOf(before ?? {}, after ?? {}, spec);
  const data = withheld ? undefined : dataOf(spec, transition, changedFields, before ?? {}, after ?? {});
  const occurredAt = occurredAtOf(after, record);
  return {
    source: EVENT_SOURCE,
    'detail-type': type,
    time: occurredAt,
    detail: {
      eventId,
      entity,
      id,
      version,
      changedFields,
      actor: actorOf(after, record),
      occurredAt,
      ...(data ? { data } : {}),
    },
  };
}

/** The bus entries of a batch, in stream order; records that are not entity events are left out. */
export function translateRecords(records: readonly DynamoDBRecord[]): { entries: BusEntry[]; skipped: Skipped[] } {
  const entries: BusEntry[] = [];
  const skipped: Skipped[] = [];
  for (const record of records) {
    const result = translateRecord(record);
    if ('skipped' in result) skipped.push(result);
    else entries.push(result);
  }
  return { entries, skipped };
}

/** Whether either image is in the state whose values never travel (an erased person). */
function withholdsValues(spec: EntityEventSpec, before: Image | undefined, after: Image | undefined): boolean {
  const rule = spec.withholdsValuesWhen;
  return rule !== undefined && [before, after].some((image) => image !== undefined && sameJson(image[rule.field], rule.is));
}

function versionOf(action: string | undefined, after: Image | undefined, before: Image | undefined): number | undefined {
  const stored = action === 'deleted' ? before?.version : after?.version;
  if (typeof stored !== 'number' || !Number.isSafeInteger(stored) || stored < 0) return undefined;
  return action === 'deleted' ? stored + 1 : stored;
}

function countsAsField(name: string, spec: EntityEventSpec): boolean {
  return !isKeyAttribute(name) && !BOOKKEEPING_FIELDS.has(name) && !(spec.derivedFields ?? []).includes(name);
}

function changedFieldsOf(before: Image, after: Image, spec: EntityEventSpec): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => countsAsField(name, spec) && !sameValue(before[name], after[name])).sort();
}

function applies(transition: Transition, before: Image, after: Image): boolean {
  const { when } = transition;
  const old = before[when.field];
  const next = after[when.field];
  if ('appears' in when) return old === undefined && next !== undefined;
  if (sameJson(old, next) || !sameJson(next, when.becomes)) return false;
  return when.from === undefined || when.from.some((value) => sameJson(old, value));
}

function dataOf(
  spec: EntityEventSpec,
  transition: Transition | undefined,
  changedFields: string[],
  before: Image,
  after: Image,
): EventData | undefined {
  const data: EventData = {};
  const current = Object.keys(after).length > 0 ? after : before;
  for (const [key, attribute] of Object.entries(spec.facts ?? {})) {
    if (current[attribute] !== undefined) data[key] = current[attribute];
  }
  for (const [key, attribute] of Object.entries(transition?.data ?? {})) {
    if (after[attribute] !== undefined) data[key] = after[attribute];
  }
  const tracked = spec.reportsFromTo;
  if (tracked && changedFields.includes(tracked)) {
    if (before[tracked] !== undefined) data.from = before[tracked];
    if (after[tracked] !== undefined) data.to = after[tracked];
  }
  if (spec.carriesChanges) Object.assign(data, compactChanges(changeListOf(changedFields, before, after, spec)));
  return Object.keys(data).length > 0 ? data : undefined;
}

type ChangeEntry = [name: string, from: JsonValue | undefined, to: JsonValue | undefined];

/** Old and new value per changed field; map-valued fields such as customFields per key. */
function changeListOf(changedFields: string[], before: Image, after: Image, spec: EntityEventSpec): ChangeEntry[] {
  const entries: ChangeEntry[] = [];
  for (const field of changedFields) {
    const old = before[field];
    const next = after[field];
    if ((spec.keyedFields ?? []).includes(field) && isMap(old ?? {}) && isMap(next ?? {})) {
      const oldMap = (old ?? {}) as Image;
      const newMap = (next ?? {}) as Image;
      const keys = [...new Set([...Object.keys(oldMap), ...Object.keys(newMap)])].sort();
      for (const key of keys) {
        if (!sameValue(oldMap[key], newMap[key])) entries.push([`${field}.${key}`, oldMap[key], newMap[key]]);
      }
    } else {
      entries.push([field, old, next]);
    }
  }
  return entries;
}

/**
 * Caps each value at LIMITS.eventChangeValueMaxBytes (larger ones become `{ truncated: true }`)
 * and the whole map at LIMITS.eventChangesMaxBytes; changes that do not fit are only named in
 * `changesOmitted`. Events stay small, and history still says which field changed.
 */
export function compactChanges(entries: readonly ChangeEntry[]): Pick<EventData, 'changes' | 'changesOmitted'> {
  const changes: Record<string, FieldChange> = {};
  const omitted: string[] = [];
  let remaining = LIMITS.eventChangesMaxBytes;
  for (const [name, from, to] of entries) {
    const change: FieldChange = {};
    if (from !== undefined) change.from = capped(from);
    if (to !== undefined) change.to = capped(to);
    const size = byteLength(JSON.stringify(name)) + byteLength(JSON.stringify(change)) + 2;
    if (size > remaining) {
      omitted.push(name);
      continue;
    }
    changes[name] = change;
    remaining -= size;
  }
  return { changes, ...(omitted.length > 0 ? { changesOmitted: omitted } : {}) };
}

function capped(value: JsonValue): JsonValue | typeof TRUNCATED {
  return byteLength(JSON.stringify(value)) > LIMITS.eventChangeValueMaxBytes ? TRUNCATED : value;
}

const encoder = new TextEncoder();
function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function isMap(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function actorOf(after: Image | undefined, record: DynamoDBRecord): string {
  if (typeof after?.updatedBy === 'string') return after.updatedBy;
  const identity = record.userIdentity as { type?: string; principalId?: string } | undefined;
  if (identity?.type === 'Service' && identity.principalId === TTL_PRINCIPAL) return 'system:ttl';
  return 'unknown';
}

function occurredAtOf(after: Image | undefined, record: DynamoDBRecord): string {
  const stamped = after?.updatedAt;
  if (typeof stamped === 'string' && !Number.isNaN(Date.parse(stamped))) return new Date(stamped).toISOString();
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return new Date(typeof seconds === 'number' ? seconds * 1000 : 0).toISOString();
}
