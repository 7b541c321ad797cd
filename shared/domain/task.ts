import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { cleanText } from './normalize.ts';
import { applyMergePatch, isPlainObject } from './merge-patch.ts';
import { parseOrThrow } from './validation.ts';
import { ValidationError } from './errors.ts';

export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

const kithId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a Kith id');
const instant = z.iso.datetime({ offset: true });

export const TaskInput = z.strictObject({
  title: z.string().min(1).max(LIMITS.maxNameLength),
  description: z.string().max(LIMITS.maxTaskDescriptionLength).optional(),
  contactId: kithId.optional().meta({ description: 'The contact the task is about' }),
  assigneeId: z.string().min(1).max(LIMITS.maxTagLength).optional().meta({ description: 'Who should do it (a user or key id)' }),
  dueAt: instant.optional(),
  remindAt: instant.optional().meta({ description: 'When to fire `task.reminder_due`; changing it re-arms the reminder' }),
  status: z.enum(TASK_STATUSES).optional(),
});
export type TaskInput = z.output<typeof TaskInput>;

/** A task's writable fields after validation: what a create or a patch produces. */
export interface TaskFields {
  title: string;
  description?: string;
  contactId?: string;
  assigneeId?: string;
  dueAt?: string;
  remindAt?: string;
  status: TaskStatus;
}

export interface Task extends TaskFields {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
  completedAt?: string;
  completedBy?: string;
  /** Set when the reminder for the current `remindAt` fired; cleared when `remindAt` changes. */
  remindedAt?: string;
}

export const READ_ONLY_TASK_FIELDS = [
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'completedAt',
  'completedBy',
  'remindedAt',
] as const;

export function normalizeTask(input: unknown): TaskFields {
  const parsed = parseOrThrow(TaskInput, input);
  const title = cleanText(parsed.title);
  if (!title) throw ValidationError.of('title', 'must not be blank');
  const fields: TaskFields = {
    title,
    description: parsed.description?.trim() || undefined,
    contactId: parsed.contactId,
    assigneeId: cleanText(parsed.assigneeId),
    dueAt: parsed.dueAt && new Date(parsed.dueAt).toISOString(),
    remindAt: parsed.remindAt && new Date(parsed.remindAt).toISOString(),
    status: parsed.status ?? 'open',
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as TaskFields;
}

/** JSON merge patch of a task; read-only fields are refused by name. */
export function patchTask(current: Task, patch: unknown): TaskFields {
  if (!isPlainObject(patch)) throw ValidationError.of('(body)', 'a merge patch must be a JSON object');
  const readOnly = READ_ONLY_TASK_FIELDS.filter((field) => field in patch);
  if (readOnly.length > 0) throw new ValidationError(readOnly.map((path) => ({ path, message: 'is read-only' })));
  const { title, description, contactId, assigneeId, dueAt, remindAt, status } = current;
  return normalizeTask(applyMergePatch({ title, description, contactId, assigneeId, dueAt, remindAt, status }, patch));
}

/**
 * The task after a write of `fields` by `actor` at `now`: completion is stamped when it becomes
 * done (and cleared when reopened), and a changed `remindAt` re-arms the reminder.
 */
export function nextTask(current: Task, fields: TaskFields, actor: string, now: Date): Task {
  const at = now.toISOString();
  const {
    completedAt,
    completedBy,
    remindedAt,
    description: _d,
    contactId: _c,
    assigneeId: _a,
    dueAt: _du,
    remindAt: _r,
    ...kept
  } = current;
  const next: Task = { ...kept, ...fields, version: current.version + 1, updatedAt: at, updatedBy: actor };
  if (fields.status === 'done') {
    next.completedAt = current.status === 'done' ? completedAt : at;
    next.completedBy = current.status === 'done' ? completedBy : actor;
  }
  if (remindedAt && fields.remindAt === current.remindAt) next.remindedAt = remindedAt;
  return dropUndefined(next);
}

/** A reminder waits to fire while its task is open, has a `remindAt`, and has not fired for it. */
export function isReminderPending(task: Pick<Task, 'status' | 'remindAt' | 'remindedAt'>): boolean {
  return task.status === 'open' && task.remindAt !== undefined && task.remindedAt === undefined;
}

export function justCompleted(before: Pick<Task, 'status'> | undefined, after: Pick<Task, 'status'>): boolean {
  return after.status === 'done' && before?.status !== 'done';
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
