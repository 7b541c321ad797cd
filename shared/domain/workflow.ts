import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { ContactInput, LIFECYCLE_STAGES, type Contact, type ContactInput as ContactInputShape } from './contact.ts';
import { checkCustomFields, type FieldDefinitionInput } from './custom-fields.ts';
import { cleanText, normalizeTags } from './normalize.ts';
import { applyMergePatch, isPlainObject } from './merge-patch.ts';
import { compileFilter, FilterSchema, type Filter, type FilterContext } from './filter.ts';
import { parseOrThrow } from './validation.ts';
import { ValidationError, type FieldError } from './errors.ts';
import { WebhookUrl } from './webhooks.ts';
import type { EntityMeta } from './entity.ts';
import type { CountryCode } from 'libphonenumber-js';

/**
 * Workflows: when something happens to a contact (a trigger), and the contact still satisfies
 * the conditions (the filter language), do these actions. Definitions are data; the engine in
 * shared/app/workflows.ts runs them, and the decisions it makes are the pure functions of
 * workflow-triggers.ts.
 */

const kithId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a Kith id');
const tag = z.string().trim().min(1).max(LIMITS.maxTagLength);
const fieldPath = z.string().min(1).max(200);
const days = z.number().int().min(0).max(LIMITS.maxWorkflowDays);
/** A value a field takes in a trigger: compared with the stored (normalized) value. */
const fieldValue = z.union([z.string().max(LIMITS.maxTextLength), z.number(), z.boolean()]);

export const WorkflowTrigger = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('contact_created') }).meta({ description: 'A contact is created' }),
    z
      .strictObject({
        type: z.literal('field_changed'),
        field: fieldPath.meta({ description: 'A contact field (`jobTitle`, `ownerId`, …) or `customFields.<key>`' }),
        from: fieldValue.optional(),
        to: fieldValue.optional(),
      })
      .meta({ description: 'A field changes (optionally from and/or to a value); a value set at creation counts' }),
    z
      .strictObject({ type: z.literal('tag_added'), tag })
      .meta({ description: 'A tag is added (or the contact is created with it)' }),
    z.strictObject({ type: z.literal('tag_removed'), tag }).meta({ description: 'A tag is removed' }),
    z
      .strictObject({
        type: z.literal('lifecycle_stage_changed'),
        from: z.enum(LIFECYCLE_STAGES).optional(),
        to: z.enum(LIFECYCLE_STAGES).optional(),
      })
      .meta({ description: 'Shorthand for `field_changed` on `lifecycleStage`' }),
    z
      .strictObject({ type: z.literal('segment_entered'), segmentId: kithId })
      .meta({ description: "A change makes the contact match the segment's filter (again, after leaving it)" }),
    z.strictObject({ type: z.literal('inactivity'), days: days.min(1) }).meta({
      description: 'No interaction for `days` days (since `lastInteractionAt`, or `createdAt` when there never was one)',
    }),
    z
      .strictObject({
        type: z.literal('date_approaching'),
        field: fieldPath.meta({ description: '`birthday` (yearly) or a date custom field, `customFields.<key>`' }),
        days,
        annual: z.boolean().optional().meta({ description: 'Every year on the anniversary (always so for `birthday`)' }),
      })
      .meta({ description: 'The date is at most `days` days ahead (UTC days)' }),
  ])
  .meta({ id: 'WorkflowTrigger' });
export type WorkflowTrigger = z.output<typeof WorkflowTrigger>;
export type TriggerType = WorkflowTrigger['type'];

export const TIME_TRIGGERS = ['inactivity', 'date_approaching'] as const satisfies readonly TriggerType[];
export type TimeTrigger = Extract<WorkflowTrigger, { type: (typeof TIME_TRIGGERS)[number] }>;
export function isTimeTrigger(trigger: WorkflowTrigger): trigger is TimeTrigger {
  return (TIME_TRIGGERS as readonly string[]).includes(trigger.type);
}

const text = z.string().trim().min(1).max(LIMITS.maxTextLength);

export const WorkflowAction = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('create_task'),
      title: z.string().trim().min(1).max(LIMITS.maxNameLength).meta({ description: 'May name fields: `Call {{firstName}}`' }),
      description: z.string().max(LIMITS.maxTaskDescriptionLength).optional(),
      dueInDays: days,
      assignee: z
        .string()
        .trim()
        .min(1)
        .max(LIMITS.maxTagLength)
        .meta({ description: '`owner` (the contact’s owner when the action runs) or a user id' }),
      remindInDays: days.optional(),
    }),
    z.strictObject({ type: z.literal('add_tag'), tag }),
    z.strictObject({ type: z.literal('remove_tag'), tag }),
    z.strictObject({
      type: z.literal('set_field'),
      field: fieldPath.meta({ description: 'A contact field or `customFields.<key>`' }),
      value: z.unknown().meta({ description: 'Checked against the field when the workflow is saved; `null` clears it' }),
    }),
    z.strictObject({
      type: z.literal('assign_owner'),
      roundRobin: z
        .array(z.string().trim().min(1).max(LIMITS.maxTagLength))
        .min(1)
        .max(LIMITS.maxRoundRobinAssignees)
        .meta({ description: 'Owners in turn: each run takes the next one (a persisted counter)' }),
    }),
    z.strictObject({
      type: z.literal('log_activity'),
      kind: z.literal('note'),
      text: text.meta({ description: 'May name fields: `{{firstName}}`' }),
    }),
    z.strictObject({ type: z.literal('webhook'), url: WebhookUrl }).meta({
      description: 'A POST signed per Standard Webhooks with the workflow’s secret, retried like subscriptions',
    }),
  ])
  .meta({ id: 'WorkflowAction' });
export type WorkflowAction = z.output<typeof WorkflowAction>;

export const WorkflowInput = z.strictObject({
  name: z.string().trim().min(1).max(LIMITS.maxNameLength),
  description: z.string().max(LIMITS.maxTextLength).optional(),
  enabled: z.boolean().optional(),
  trigger: WorkflowTrigger,
  conditions: FilterSchema.optional().meta({ description: 'The filter language; checked on the current record at run time' }),
  actions: z.array(WorkflowAction).min(1).max(LIMITS.maxWorkflowActions),
});
export type WorkflowInput = z.output<typeof WorkflowInput>;

export interface WorkflowFields {
  name: string;
  description?: string;
  enabled: boolean;
  trigger: WorkflowTrigger;
  conditions?: Filter;
  actions: WorkflowAction[];
}

export interface Workflow extends WorkflowFields, EntityMeta {
  /** Signs the workflow's webhook actions (`whsec_…`); shown once, when created or rotated. */
  secret: string;
}

export const READ_ONLY_WORKFLOW_FIELDS = ['id', 'secret', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy'] as const;

/** Structural validation and normalization (tags lower-cased, text trimmed). Fields are checked by `workflowFieldErrors`. */
export function normalizeWorkflow(input: unknown): WorkflowFields {
  const parsed = parseOrThrow(WorkflowInput, input);
  const description = cleanText(parsed.description);
  return {
    name: parsed.name,
    ...(description ? { description } : {}),
    enabled: parsed.enabled ?? true,
    trigger: normalizeTrigger(parsed.trigger),
    ...(parsed.conditions !== undefined && parsed.conditions !== null ? { conditions: parsed.conditions } : {}),
    actions: parsed.actions.map(normalizeAction),
  };
}

/** The writable fields of a stored workflow. */
export function workflowFields(workflow: Workflow): WorkflowFields {
  const { name, description, enabled, trigger, conditions, actions } = workflow;
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    enabled,
    trigger,
    ...(conditions !== undefined ? { conditions } : {}),
    actions,
  };
}

/**
 * JSON merge patch of a definition. The trigger and the conditions are one choice each, not bags
 * of fields: a patch replaces them whole (`conditions: null` removes them), as it does arrays.
 */
export function patchWorkflow(current: Workflow, patch: unknown): WorkflowFields {
  if (!isPlainObject(patch)) throw ValidationError.of('(body)', 'a merge patch must be a JSON object');
  const readOnly = READ_ONLY_WORKFLOW_FIELDS.filter((field) => field in patch);
  if (readOnly.length > 0) throw new ValidationError(readOnly.map((path) => ({ path, message: 'is read-only' })));
  const { trigger, conditions, ...rest } = patch;
  const { name, description, enabled, actions } = current;
  const merged = applyMergePatch({ name, description, enabled, actions }, rest) as Record<string, unknown>;
  return normalizeWorkflow({
    ...merged,
    trigger: 'trigger' in patch ? trigger : current.trigger,
    ...('conditions' in patch
      ? conditions === null
        ? {}
        : { conditions }
      : current.conditions
        ? { conditions: current.conditions }
        : {}),
  });
}

function normalizeTrigger(trigger: WorkflowTrigger): WorkflowTrigger {
  if (trigger.type === 'tag_added' || trigger.type === 'tag_removed')
    return { ...trigger, tag: normalizeTags([trigger.tag])[0]! };
  if (trigger.type === 'date_approaching' && trigger.field === 'birthday') return { ...trigger, annual: true };
  return trigger;
}

function normalizeAction(action: WorkflowAction): WorkflowAction {
  switch (action.type) {
    case 'add_tag':
    case 'remove_tag':
      return { ...action, tag: normalizeTags([action.tag])[0]! };
    case 'assign_owner':
      return { ...action, roundRobin: [...new Set(action.roundRobin)] };
    case 'create_task': {
      const { description, ...rest } = action;
      return description?.trim() ? { ...rest, description: description.trim() } : rest;
    }
    default:
      return action;
  }
}

// ——————————————————————————— checks against the contact's fields ———————————————————————————

export interface WorkflowRules {
  definitions: ReadonlyMap<string, FieldDefinitionInput>;
  defaultRegion: CountryCode;
}

const CUSTOM_PREFIX = 'customFields.';
/** Scalar core fields a `set_field` action may write (lists and tags have their own actions). */
const SETTABLE_CORE = [
  'firstName',
  'middleName',
  'lastName',
  'nickname',
  'prefix',
  'suffix',
  'jobTitle',
  'department',
  'birthday',
  'companyId',
  'lifecycleStage',
  'leadSource',
  'ownerId',
  'timeZone',
] as const satisfies readonly (keyof ContactInputShape)[];
/** Fields a `field_changed` trigger may watch: every writable field, plus the last interaction. */
const WATCHABLE_CORE = [...Object.keys(ContactInput.shape).filter((f) => f !== 'customFields'), 'lastInteractionAt'];
/** Fields a template placeholder may name, besides `fullName` and `email`. */
const PLACEHOLDER_CORE = [...SETTABLE_CORE, 'fullName', 'email'];

/**
 * Every problem of a definition that needs the current field definitions: unknown fields,
 * set_field values that the field would refuse, template placeholders, and the conditions
 * (which compile against `filterContext`). Paths are those of the request: `actions[2].value`.
 */
export function workflowFieldErrors(fields: WorkflowFields, rules: WorkflowRules, filterContext: FilterContext): FieldError[] {
  const errors: FieldError[] = [...triggerErrors(fields.trigger, rules)];
  if (fields.conditions !== undefined) {
    try {
      compileFilter(fields.conditions, filterContext, 'conditions');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...error.errors);
    }
  }
  fields.actions.forEach((action, index) => errors.push(...actionErrors(action, `actions[${index}]`, rules)));
  return errors;
}

function triggerErrors(trigger: WorkflowTrigger, rules: WorkflowRules): FieldError[] {
  switch (trigger.type) {
    case 'field_changed': {
      const scalar = isSettable(trigger.field, rules);
      if (!scalar && !WATCHABLE_CORE.includes(trigger.field)) {
        return [{ path: 'trigger.field', message: fieldMessage(trigger.field) }];
      }
      const errors: FieldError[] = [];
      for (const end of ['from', 'to'] as const) {
        const value = trigger[end];
        if (value === undefined) continue;
        if (!scalar) errors.push({ path: `trigger.${end}`, message: `${trigger.field} is not a single value; leave ${end} out` });
        else {
          const problem = settableValueError(trigger.field, value, rules);
          if (problem) errors.push({ path: `trigger.${end}`, message: problem });
        }
      }
      return errors;
    }
    case 'date_approaching': {
      if (trigger.field === 'birthday') return [];
      const definition = customDefinition(trigger.field, rules);
      if (!definition || definition.type !== 'date') {
        return [{ path: 'trigger.field', message: 'must be birthday or a custom field of type date (customFields.<key>)' }];
      }
      return [];
    }
    default:
      return [];
  }
}

function actionErrors(action: WorkflowAction, path: string, rules: WorkflowRules): FieldError[] {
  switch (action.type) {
    case 'set_field': {
      if (!isSettable(action.field, rules)) return [{ path: `${path}.field`, message: fieldMessage(action.field) }];
      if (action.value === undefined) return [{ path: `${path}.value`, message: 'is required; null clears the field' }];
      const problem =
        action.value === null ? clearingError(action.field, rules) : settableValueError(action.field, action.value, rules);
      return problem ? [{ path: `${path}.value`, message: problem }] : [];
    }
    case 'create_task':
      return [
        ...placeholderErrors(action.title, `${path}.title`, rules),
        ...(action.remindInDays !== undefined && action.remindInDays > action.dueInDays
          ? [{ path: `${path}.remindInDays`, message: 'must not be after the due date (dueInDays)' }]
          : []),
      ];
    case 'log_activity':
      return placeholderErrors(action.text, `${path}.text`, rules);
    default:
      return [];
  }
}

function customDefinition(field: string, rules: WorkflowRules): FieldDefinitionInput | undefined {
  return field.startsWith(CUSTOM_PREFIX) ? rules.definitions.get(field.slice(CUSTOM_PREFIX.length)) : undefined;
}

function isSettable(field: string, rules: WorkflowRules): boolean {
  return (SETTABLE_CORE as readonly string[]).includes(field) || customDefinition(field, rules) !== undefined;
}

function fieldMessage(field: string): string {
  return field.startsWith(CUSTOM_PREFIX)
    ? 'is not a defined custom field (see GET /v1/fields)'
    : 'is not a contact field this can name';
}

/** Why `value` cannot go into `field`, or undefined when it can. */
function settableValueError(field: string, value: unknown, rules: WorkflowRules): string | undefined {
  const definition = customDefinition(field, rules);
  if (definition) {
    const checked = checkCustomFields({ [definition.key]: value }, rules.definitions, new Set([definition.key]), rules);
    return checked.errors[0]?.message;
  }
  const schema = ContactInput.shape[field as (typeof SETTABLE_CORE)[number]];
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : (parsed.error.issues[0]?.message ?? 'is not a valid value');
}

function clearingError(field: string, rules: WorkflowRules): string | undefined {
  return customDefinition(field, rules)?.required ? 'is a required custom field and cannot be cleared' : undefined;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g;

function placeholderErrors(template: string, path: string, rules: WorkflowRules): FieldError[] {
  const unknown = [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1]!)
    .filter((name) => !PLACEHOLDER_CORE.includes(name) && !customDefinition(name, rules));
  return unknown.length > 0
    ? [{ path, message: `names unknown fields: ${unknown.join(', ')} (use e.g. {{firstName}} or {{customFields.<key>}})` }]
    : [];
}

// ——————————————————————————— what actions write ———————————————————————————

/** `Call {{firstName}}` → `Call Ada`: placeholders take the contact's values (empty when it has none). */
export function renderTemplate(template: string, contact: Contact): string {
  const rendered = template.replace(PLACEHOLDER, (_, name: string) => {
    const value =
      name === 'fullName'
        ? [contact.firstName, contact.lastName].filter(Boolean).join(' ')
        : name === 'email'
          ? contact.emails.find((e) => e.primary)?.address
          : name.startsWith(CUSTOM_PREFIX)
            ? contact.customFields?.[name.slice(CUSTOM_PREFIX.length)]
            : (contact as unknown as Record<string, unknown>)[name];
    if (value === undefined || value === null) return '';
    return Array.isArray(value) ? value.join(', ') : String(value);
  });
  return rendered.replace(/\s+/g, ' ').trim();
}

/** The contact merge patch of a `set_field` action. */
export function setFieldPatch(field: string, value: unknown): Record<string, unknown> {
  return field.startsWith(CUSTOM_PREFIX) ? { customFields: { [field.slice(CUSTOM_PREFIX.length)]: value } } : { [field]: value };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `days` days after `from` (an ISO instant), as an ISO instant. */
export function daysAfter(from: string, days: number): string {
  return new Date(Date.parse(from) + days * DAY_MS).toISOString();
}

/** The owner a round-robin assignment hands out at turn `turn` (0, 1, 2 … for ever). */
export function roundRobinOwner(owners: readonly string[], turn: number): string {
  return owners[turn % owners.length]!;
}

// ——————————————————————————— who wrote it: chains of workflows ———————————————————————————

const WORKFLOW_ACTOR = /^workflow:([0-9A-HJKMNP-TV-Z]{26})(?::(\d{1,3}))?$/;

/**
 * The actor of a run's writes: `workflow:<id>` for a run that a person (or Kith) set off, with
 * `:<depth>` appended when the run was itself set off by another workflow's write. The actor
 * travels through the change stream (`updatedBy` → `detail.actor`), so the engine knows, from an
 * event alone, which workflow wrote it and how long the chain behind it is.
 */
export function workflowActor(workflowId: string, depth: number): string {
  return depth <= 1 ? `workflow:${workflowId}` : `workflow:${workflowId}:${depth}`;
}

export interface WorkflowChain {
  /** The workflow whose run wrote the change. */
  workflowId: string;
  /** How many runs led to it, that run included. */
  depth: number;
}

export function chainOf(actor: string): WorkflowChain | undefined {
  const match = WORKFLOW_ACTOR.exec(actor);
  return match ? { workflowId: match[1]!, depth: match[2] ? Number(match[2]) : 1 } : undefined;
}

/**
 * Whether a change by `actor` may start a run of `workflowId`, and at which depth. A workflow
 * never reacts to its own writes, and a chain stops at LIMITS.maxWorkflowChainDepth.
 */
export function runDepthFor(workflowId: string, actor: string): { depth: number } | { refused: 'own_write' | 'chain_too_long' } {
  const chain = chainOf(actor);
  if (!chain) return { depth: 1 };
  if (chain.workflowId === workflowId) return { refused: 'own_write' };
  if (chain.depth >= LIMITS.maxWorkflowChainDepth) return { refused: 'chain_too_long' };
  return { depth: chain.depth + 1 };
}

// ——————————————————————————— runs ———————————————————————————

/** What started a run; with the workflow and the contact it names the run (see `runKey`). */
export type RunCause =
  | { kind: 'event'; eventId: string; eventType: string }
  | { kind: 'segment'; segmentId: string; contactVersion: number }
  | { kind: 'period'; key: string; since: string };

export type RunStatus = 'running' | 'succeeded' | 'failed';

/** How one action of a run went. */
export interface ActionOutcome {
  action: number;
  type: WorkflowAction['type'];
  status: 'ok' | 'skipped' | 'failed';
  message?: string;
  /** What the action made or chose: a task, an activity, a delivery id, an owner. */
  ref?: string;
}

/** One run of a workflow for one contact: its actions (as they were when it started) and how each went. */
export interface WorkflowRun {
  /** A ULID of when it started: runs list newest first by it. */
  id: string;
  workflowId: string;
  workflowVersion: number;
  contactId: string;
  /** Derived from the cause: a second attempt to start the same run finds this one. */
  key: string;
  cause: RunCause;
  trigger: TriggerType;
  /** 1 when a person's (or Kith's) change started it; n + 1 when a depth-n run's write did. */
  depth: number;
  status: RunStatus;
  actions: WorkflowAction[];
  /** One per action done, in order: the run resumes at the first action without one. */
  outcomes: ActionOutcome[];
  /** Choices made once and kept for a resumed run: the owner a round robin handed out, by action. */
  memo: Record<string, string>;
  startedAt: string;
  finishedAt?: string;
  /** While running: until when the process that runs it holds it; a sweep resumes it after. */
  leaseUntil?: string;
  /** Times a process took it up (the start included); it gives up after LIMITS.maxWorkflowRunAttempts. */
  attempts: number;
  /** Why the last attempt stopped short, when one did. */
  lastError?: string;
  version: number;
  updatedAt: string;
}

/** The run key of a cause: `event:<eventId>`, `segment:<segmentId>:<version>`, or the period's key. */
export function runKey(cause: RunCause): string {
  switch (cause.kind) {
    case 'event':
      return `event:${cause.eventId}`;
    case 'segment':
      return `segment:${cause.segmentId}:${cause.contactVersion}`;
    case 'period':
      return cause.key;
  }
}

/**
 * When a run record may go. Runs of events and segment entries are kept long after any redelivery
 * could come; a period's run is what stops the period firing twice, so it stays while the period
 * can hold (a date's until well after the date; an inactivity stretch for ever).
 */
export function runExpiresAt(run: Pick<WorkflowRun, 'cause' | 'startedAt'>): number | undefined {
  const retention = LIMITS.workflowEventRunRetentionDays * 24 * 60 * 60;
  if (run.cause.kind !== 'period') return Math.floor(Date.parse(run.startedAt) / 1000) + retention;
  const date = /^date:.*:(\d{4}-\d{2}-\d{2})$/.exec(run.cause.key)?.[1];
  return date ? Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000) + retention : undefined;
}
