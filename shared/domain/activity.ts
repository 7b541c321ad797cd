import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { cleanText } from './normalize.ts';
import { applyMergePatch, isPlainObject } from './merge-patch.ts';
import { parseOrThrow } from './validation.ts';
import { ValidationError } from './errors.ts';
import { isIdTime } from './ids.ts';

export { systemEntry } from './activity-record.ts';

/** What a timeline holds: what people logged, and what Kith itself recorded (`system`). */
export const ACTIVITY_KINDS = ['note', 'call', 'email', 'meeting', 'system'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];
export const LOGGABLE_KINDS = ['note', 'call', 'email', 'meeting'] as const;
export type LoggableKind = (typeof LOGGABLE_KINDS)[number];
export const DIRECTIONS = ['in', 'out'] as const;

/** Kinds that take a direction and a duration; anything else sending them is told so. */
const DIRECTED: readonly ActivityKind[] = ['call', 'email'];
const TIMED: readonly ActivityKind[] = ['call', 'meeting'];

/** Things Kith records on its own; each is written once per cause. */
export const SYSTEM_EVENTS = ['contact.merged', 'lifecycle_stage.changed', 'task.completed', 'consent.changed'] as const;
export type SystemEvent = (typeof SYSTEM_EVENTS)[number];

const kithId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a Kith id');

/** A participant is another contact, or someone Kith does not hold as a contact. */
export const Participant = z.union([
  z.strictObject({ contactId: kithId }),
  z.strictObject({ name: z.string().min(1).max(LIMITS.maxNameLength), email: z.email().max(320).optional() }),
]);
export type Participant = z.output<typeof Participant>;

const fields = {
  direction: z.enum(DIRECTIONS).optional(),
  durationSeconds: z.number().int().min(0).max(LIMITS.maxActivityDurationSeconds).optional(),
  outcome: z.string().max(LIMITS.maxTagLength).optional(),
  participants: z.array(Participant).max(LIMITS.maxActivityParticipants).optional(),
  subject: z.string().max(LIMITS.maxNameLength).optional(),
  body: z.string().max(LIMITS.maxActivityBodyLength).optional(),
};

export const ActivityInput = z.strictObject({
  kind: z.enum(LOGGABLE_KINDS),
  ...fields,
  occurredAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'When it happened; now if left out' }),
});
export type ActivityInput = z.output<typeof ActivityInput>;

/** What a PATCH may change: the content. Kind and time place the entry and stay put. */
const ActivityEdit = z.strictObject(fields);

export interface Activity {
  id: string;
  contactId: string;
  kind: ActivityKind;
  direction?: 'in' | 'out';
  durationSeconds?: number;
  outcome?: string;
  participants: Participant[];
  subject?: string;
  body?: string;
  occurredAt: string;
  /** System entries only: what Kith recorded, with its facts (e.g. `from`/`to`). */
  systemEvent?: SystemEvent;
  data?: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

/** The fields of an activity a person wrote, before the store gives it id, version and times. */
export type ActivityContent = Omit<
  Activity,
  'id' | 'contactId' | 'version' | 'createdAt' | 'updatedAt' | 'createdBy' | 'updatedBy'
>;

/**
 * Validates and normalizes an activity to log: text trimmed, the time in canonical UTC and
 * not in the future, and direction/duration only on the kinds they mean something for.
 */
export function normalizeActivity(input: unknown, now: Date): ActivityContent {
  const parsed = parseOrThrow(ActivityInput, input);
  const occurredAt = parsed.occurredAt ? new Date(parsed.occurredAt) : now;
  const errors: { path: string; message: string }[] = [];
  if (!isIdTime(occurredAt.getTime())) errors.push({ path: 'occurredAt', message: 'must be after 1970' });
  if (occurredAt.getTime() > now.getTime() + LIMITS.activityFutureToleranceMs) {
    errors.push({ path: 'occurredAt', message: 'is in the future; log what happened, and plan what will with a task' });
  }
  errors.push(...kindErrors(parsed.kind, parsed));
  if (errors.length > 0) throw new ValidationError(errors);
  return cleaned({ ...parsed, occurredAt: occurredAt.toISOString(), participants: parsed.participants ?? [] });
}

/** Applies a JSON merge patch to the content of a logged activity. */
export function patchActivity(current: Activity, patch: unknown): ActivityContent {
  if (!isPlainObject(patch)) throw ValidationError.of('(body)', 'a merge patch must be a JSON object');
  const fixed = (['kind', 'occurredAt'] as const).filter((field) => field in patch);
  if (fixed.length > 0) {
    throw new ValidationError(fixed.map((path) => ({ path, message: 'cannot change; delete the activity and log it again' })));
  }
  const { direction, durationSeconds, outcome, participants, subject, body } = current;
  const edited = parseOrThrow(
    ActivityEdit,
    applyMergePatch({ direction, durationSeconds, outcome, participants, subject, body }, patch),
  );
  const errors = kindErrors(current.kind, edited);
  if (errors.length > 0) throw new ValidationError(errors);
  return cleaned({ ...edited, kind: current.kind, occurredAt: current.occurredAt, participants: edited.participants ?? [] });
}

function kindErrors(kind: ActivityKind, fields: { direction?: unknown; durationSeconds?: unknown }) {
  const errors: { path: string; message: string }[] = [];
  if (fields.direction !== undefined && !DIRECTED.includes(kind)) {
    errors.push({ path: 'direction', message: `applies to ${DIRECTED.join(' and ')} activities only` });
  }
  if (fields.durationSeconds !== undefined && !TIMED.includes(kind)) {
    errors.push({ path: 'durationSeconds', message: `applies to ${TIMED.join(' and ')} activities only` });
  }
  return errors;
}

function cleaned(content: ActivityContent): ActivityContent {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(content)) {
    // Bodies keep their line breaks; one-line fields are collapsed like every other text field.
    const next =
      key === 'body' && typeof value === 'string'
        ? value.trim() || undefined
        : typeof value === 'string'
          ? cleanText(value)
          : value;
    if (next !== undefined) out[key] = next;
  }
  return out as unknown as ActivityContent;
}
