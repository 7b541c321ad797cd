import type { Contact } from './contact.ts';
import type { Filter } from './filter.ts';
import { isPlainObject } from './merge-patch.ts';
import { isCalendarDate, normalizeTags } from './normalize.ts';
import { isTimeTrigger, type RunCause, type TimeTrigger, type WorkflowTrigger } from './workflow.ts';

/**
 * The engine's decisions, pure: does a change set a trigger off, which period of a time trigger
 * a contact is in, which contacts a scheduled evaluation must look at, and whether a contact
 * entered a segment. Each decision also names the run it starts, by a key that is the same
 * however often (and by however many processes) the decision is made again.
 */

/** What the engine knows of a contact change from its event alone (a domain event's detail). */
export interface ContactChange {
  /** The event's detail-type: `contact.created`, `contact.updated`, … */
  type: string;
  eventId: string;
  version: number;
  actor: string;
  occurredAt: string;
  changedFields: readonly string[];
  /** Old and new values per field (`customFields.<key>` per custom field), capped in size. */
  changes?: Readonly<Record<string, { from?: unknown; to?: unknown }>>;
  /** Fields whose values did not fit in the event. */
  changesOmitted?: readonly string[];
}

export type TriggerMatch = 'matched' | 'not_matched' | 'undecidable';

const CUSTOM_PREFIX = 'customFields.';
const FIELD_EVENTS = new Set(['contact.created', 'contact.updated']);

/**
 * Whether a change sets off an event trigger. `undecidable` when the values the trigger needs
 * did not fit in the event (a tag list over 1 KB, say): the engine records nothing rather than
 * guess. Time and segment triggers are decided elsewhere (`periodOf`, `segmentStep`).
 */
export function matchEventTrigger(trigger: WorkflowTrigger, change: ContactChange): TriggerMatch {
  switch (trigger.type) {
    case 'contact_created':
      return change.type === 'contact.created' ? 'matched' : 'not_matched';
    case 'field_changed':
      return fieldChanged(change, trigger.field, trigger.from, trigger.to);
    case 'lifecycle_stage_changed':
      return fieldChanged(change, 'lifecycleStage', trigger.from, trigger.to);
    case 'tag_added':
    case 'tag_removed': {
      const tags = changeOf(change, 'tags');
      if (tags === undefined) return 'not_matched';
      if (tags === 'unknown') return 'undecidable';
      const before = tagsOf(tags.from);
      const after = tagsOf(tags.to);
      const [was, is] = trigger.type === 'tag_added' ? [before, after] : [after, before];
      return is.includes(trigger.tag) && !was.includes(trigger.tag) ? 'matched' : 'not_matched';
    }
    default:
      return 'not_matched';
  }
}

function fieldChanged(change: ContactChange, field: string, from: unknown, to: unknown): TriggerMatch {
  const value = changeOf(change, field);
  if (value === undefined) return 'not_matched';
  if (value === 'unknown') return from === undefined && to === undefined ? 'matched' : 'undecidable';
  const fits = (expected: unknown, actual: unknown) => expected === undefined || expected === actual;
  return fits(from, value.from) && fits(to, value.to) ? 'matched' : 'not_matched';
}

/** The old and new value of `path` in a change; `unknown` when it changed but its values did not travel. */
function changeOf(change: ContactChange, path: string): { from?: unknown; to?: unknown } | 'unknown' | undefined {
  if (!FIELD_EVENTS.has(change.type)) return undefined;
  const top = path.startsWith(CUSTOM_PREFIX) ? 'customFields' : path;
  if (!change.changedFields.includes(top)) return undefined;
  const value = change.changes?.[path];
  if (value) return isTruncated(value.from) || isTruncated(value.to) ? 'unknown' : value;
  if (change.changesOmitted?.includes(path) || !change.changes) return 'unknown';
  // Another custom field changed, not this one.
  return undefined;
}

function isTruncated(value: unknown): boolean {
  return isPlainObject(value) && value.truncated === true && Object.keys(value).length === 1;
}

function tagsOf(value: unknown): string[] {
  return Array.isArray(value) ? normalizeTags(value.filter((v): v is string => typeof v === 'string')) : [];
}

/**
 * Whether a change concerns a trigger at all (before the engine reads anything): an event trigger
 * it may match, a time trigger whose period it may have started, or a segment it may have moved.
 */
export function mayReact(trigger: WorkflowTrigger, change: ContactChange): boolean {
  if (trigger.type === 'segment_entered') return true;
  return isTimeTrigger(trigger) ? mayStartPeriod(trigger, change) : matchEventTrigger(trigger, change) !== 'not_matched';
}

/**
 * The run an event or time trigger asks for on a change, decided on the contact as it is now:
 * the event itself, or the period the change put the contact in. Segment triggers are decided by
 * `segmentStep`, with what was recorded before.
 */
export function causeOfChange(
  trigger: WorkflowTrigger,
  contact: Contact,
  change: ContactChange,
  now: Date,
): RunCause | 'undecidable' | undefined {
  if (trigger.type === 'segment_entered') return undefined;
  if (isTimeTrigger(trigger)) {
    const period = mayStartPeriod(trigger, change) ? periodOf(trigger, contact, now) : undefined;
    return period && { kind: 'period', ...period };
  }
  const match = matchEventTrigger(trigger, change);
  if (match === 'undecidable') return match;
  return match === 'matched' ? { kind: 'event', eventId: change.eventId, eventType: change.type } : undefined;
}

// ——————————————————————————— time triggers ———————————————————————————

const DAY_MS = 24 * 60 * 60 * 1000;

/** A stretch in which a time trigger holds for a contact: it fires once per period. */
export interface Period {
  /** Names the period, and with the workflow and contact, the one run it may start. */
  key: string;
  /** When the trigger began to hold (the inactivity threshold passed, the date came within reach). */
  since: string;
}

/**
 * The period a contact is in for a time trigger at `now`, if the trigger holds.
 * - inactivity: the stretch is named by where it started (`lastInteractionAt`, else `createdAt`),
 *   so a new interaction starts a new stretch, and a new period once it is long enough.
 * - date_approaching: named by the date itself, so a renewed contract date fires again; a date
 *   holds from `days` days before its UTC midnight until its day is over.
 */
export function periodOf(trigger: TimeTrigger, contact: Contact, now: Date): Period | undefined {
  if (trigger.type === 'inactivity') {
    const anchor = contact.lastInteractionAt ?? contact.createdAt;
    const since = Date.parse(anchor) + trigger.days * DAY_MS;
    return Number.isFinite(since) && since <= now.getTime()
      ? { key: `inactivity:${new Date(anchor).toISOString()}`, since: new Date(since).toISOString() }
      : undefined;
  }
  const stored = dateValueOf(contact, trigger.field);
  if (!stored) return undefined;
  const date = trigger.annual ? nextAnniversary(stored, now) : stored;
  const midnight = Date.parse(`${date}T00:00:00.000Z`);
  const since = midnight - trigger.days * DAY_MS;
  if (midnight < startOfUtcDay(now) || since > now.getTime()) return undefined;
  return { key: `date:${trigger.field}:${date}`, since: new Date(since).toISOString() };
}

/**
 * The filter that selects, through the search port, every contact whose period may have begun in
 * `(since, now]` (from the beginning of time without `since`). It may select more than that
 * (`periodOf` on the current record decides), never less. Yearly dates cannot be expressed as a
 * range of stored values: every contact with the date is a candidate.
 */
export function candidateFilter(trigger: TimeTrigger, now: Date, since?: Date): Filter {
  const iso = (ms: number) => new Date(ms).toISOString();
  const span = trigger.days * DAY_MS;
  if (trigger.type === 'inactivity') {
    const upTo = iso(now.getTime() - span);
    const range = (field: string): Filter[] => [
      { field, op: 'lte', value: upTo },
      ...(since ? [{ field, op: 'gt' as const, value: iso(since.getTime() - span) }] : []),
    ];
    return {
      or: [{ and: range('lastInteractionAt') }, { and: [{ field: 'lastInteractionAt', op: 'missing' }, ...range('createdAt')] }],
    };
  }
  if (trigger.annual) return { field: trigger.field, op: 'exists' };
  const from = Math.max(startOfUtcDay(now), since ? since.getTime() + span : 0);
  return {
    and: [
      { field: trigger.field, op: 'gte', value: iso(from) },
      { field: trigger.field, op: 'lte', value: iso(now.getTime() + span) },
    ],
  };
}

/**
 * Whether a change may have put a contact into a time trigger's period, so the engine decides it
 * at once rather than at the next scheduled evaluation: a date set within reach, an interaction
 * deleted (the stretch now starts earlier), a contact restored.
 */
export function mayStartPeriod(trigger: TimeTrigger, change: ContactChange): boolean {
  if (change.type === 'contact.created') return true;
  const watched = trigger.type === 'inactivity' ? 'lastInteractionAt' : topLevel(trigger.field);
  return change.changedFields.includes(watched) || change.changedFields.includes('status');
}

/** Whether scheduled evaluations of this trigger run at most once per UTC day (every candidate is read each time). */
export function evaluatedDaily(trigger: TimeTrigger): boolean {
  return trigger.type === 'date_approaching' && trigger.annual === true;
}

function topLevel(path: string): string {
  return path.startsWith(CUSTOM_PREFIX) ? 'customFields' : path;
}

function dateValueOf(contact: Contact, field: string): string | undefined {
  const value = field.startsWith(CUSTOM_PREFIX)
    ? contact.customFields?.[field.slice(CUSTOM_PREFIX.length)]
    : (contact as unknown as Record<string, unknown>)[field];
  return typeof value === 'string' && isCalendarDate(value) ? value : undefined;
}

export function startOfUtcDay(at: Date): number {
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
}

/** The next `MM-DD` of `date` on or after the UTC day of `now` (29 February falls on the 28th in other years). */
export function nextAnniversary(date: string, now: Date): string {
  const [, month, day] = date.split('-').map(Number) as [number, number, number];
  const on = (year: number) => {
    const leap = new Date(Date.UTC(year, 1, 29)).getUTCMonth() === 1;
    const d = month === 2 && day === 29 && !leap ? 28 : day;
    return Date.UTC(year, month - 1, d);
  };
  const year = now.getUTCFullYear();
  const next = on(year) >= startOfUtcDay(now) ? on(year) : on(year + 1);
  return new Date(next).toISOString().slice(0, 10);
}

// ——————————————————————————— segments ———————————————————————————

export type Membership = 'in' | 'out';

/**
 * What a fresh evaluation means for a contact's recorded membership of a segment:
 * - `enter`: it matches and was known out (or did not match before this change): entered, fire.
 * - `settle`: it matches, nothing was recorded and it may well have matched before (a member
 *   from before anyone watched, or a change whose old values did not travel): record, no firing.
 * - `leave`: recorded in, matches no more.
 * - `none`: nothing to write (no record means out).
 */
export function segmentStep(
  recorded: Membership | undefined,
  matchesNow: boolean,
  matchedBefore: boolean | 'unknown',
): 'enter' | 'settle' | 'leave' | 'none' {
  if (!matchesNow) return recorded === 'in' ? 'leave' : 'none';
  if (recorded === 'in') return 'none';
  if (recorded === 'out' || matchedBefore === false) return 'enter';
  return 'settle';
}

/**
 * The contact as it was before `change`, rebuilt from the current record and the change's old
 * values: `new` for a creation, `unknown` when old values did not travel. The current record may
 * be a later version than the change's; the rebuilt image is then an approximation.
 */
export function contactBefore(contact: Contact, change: ContactChange): { new: true } | { image: Contact } | 'unknown' {
  if (change.type === 'contact.created') return { new: true };
  if (change.changesOmitted?.length || (!change.changes && change.changedFields.length > 0)) return 'unknown';
  const image: Record<string, unknown> = { ...contact, customFields: { ...contact.customFields } };
  for (const [path, value] of Object.entries(change.changes ?? {})) {
    if (isTruncated(value.from)) return 'unknown';
    const [target, key] = path.startsWith(CUSTOM_PREFIX)
      ? [image.customFields as Record<string, unknown>, path.slice(CUSTOM_PREFIX.length)]
      : [image, path];
    if (value.from === undefined) delete target[key];
    else target[key] = value.from;
  }
  return { image: image as unknown as Contact };
}
