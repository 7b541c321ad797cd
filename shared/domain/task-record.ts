import type { Task } from './task.ts';

/** What derives from a stored task, apart from task.ts's input rules (zod), which the reminder sweep does not load. */

/** A reminder waits to fire while its task is open, has a `remindAt`, and has not fired for it. */
export function isReminderPending(task: Pick<Task, 'status' | 'remindAt' | 'remindedAt'>): boolean {
  return task.status === 'open' && task.remindAt !== undefined && task.remindedAt === undefined;
}
