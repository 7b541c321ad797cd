import { normalizeTask, patchTask, nextTask, justCompleted, type Task, type TaskFields } from '../domain/task.ts';
import { systemEntry } from '../domain/activity.ts';
import { ValidationError, VersionMismatchError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../store/client.ts';
import type { TaskFilter, TaskRepository } from '../store/tasks.ts';
import { transactWrite, type GuardedWrite } from '../store/transact.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { ContactService } from './contacts.ts';
import type { TimelineService } from './timeline.ts';
import { writeWithRetry } from './optimistic.ts';

/**
 * Tasks and their reminders. Completing a task that is about a contact writes a system entry on
 * the contact's timeline in the same transaction, so the two never disagree.
 */
export class TaskService {
  readonly repository: TaskRepository;
  private readonly store: Store;
  private readonly contacts: ContactService;
  private readonly timeline: TimelineService;
  private readonly clock: Clock;

  constructor(deps: {
    store: Store;
    repository: TaskRepository;
    contacts: ContactService;
    timeline: TimelineService;
    clock: Clock;
  }) {
    this.store = deps.store;
    this.repository = deps.repository;
    this.contacts = deps.contacts;
    this.timeline = deps.timeline;
    this.clock = deps.clock;
  }

  /** Creates a task; `options.id` names it (a use case that must create it once derives the id, see `createOnce`). */
  async create(input: unknown, actor: string, options: { id?: string } = {}): Promise<Task> {
    const fields = await this.withResolvedContact(normalizeTask(input));
    const now = this.clock.now();
    const at = now.toISOString();
    const draft: Task = {
      ...fields,
      id: options.id ?? newId(now.getTime()),
      version: 0,
      createdAt: at,
      updatedAt: at,
      createdBy: actor,
      updatedBy: actor,
    };
    const task = nextTask(draft, fields, actor, now);
    await transactWrite(this.store, [
      ...this.repository.writes(undefined, task, now),
      ...(await this.completionEntry(undefined, task)),
    ]);
    return task;
  }

  /**
   * Creates the task `id` unless it exists: a use case that may run twice (a workflow run resumed
   * after a crash) derives the id from what it does, and the second time finds the first task.
   */
  async createOnce(id: string, input: unknown, actor: string): Promise<{ task: Task; created: boolean }> {
    const existing = await this.repository.get(id);
    if (existing) return { task: existing, created: false };
    try {
      return { task: await this.create(input, actor, { id }), created: true };
    } catch (error) {
      if (!(error instanceof VersionMismatchError && error.entity === 'task' && error.id === id)) throw error;
      return { task: await this.repository.require(id), created: false };
    }
  }

  get(id: string): Promise<Task> {
    return this.repository.require(id);
  }

  /** JSON merge patch. Setting `status: done` completes the task; a new `remindAt` re-arms its reminder. */
  async update(id: string, patch: unknown, actor: string, ifMatch?: number): Promise<Task> {
    return this.write(id, ifMatch, actor, async (current) =>
      this.withResolvedContact(patchTask(current, patch), current.contactId),
    );
  }

  /** Marks a task done; completing a done task changes nothing. */
  async complete(id: string, actor: string, ifMatch?: number): Promise<Task> {
    return this.write(id, ifMatch, actor, async (current) =>
      current.status === 'done' ? undefined : { ...fieldsOf(current), status: 'done' },
    );
  }

  async remove(id: string, ifMatch?: number): Promise<void> {
    await writeWithRetry({
      entity: 'task',
      id,
      ifMatch,
      load: () => this.repository.require(id),
      write: async (current) => {
        await transactWrite(this.store, this.repository.deleteWrites(current));
        return current;
      },
    });
  }

  /**
   * Merge: the loser's tasks become the survivor's (their `contactId` and the contact's link
   * move together, one versioned write per task). Resumable and idempotent.
   */
  async moveTasks(loserId: string, survivorId: string, actor = 'system:merge'): Promise<number> {
    let moved = 0;
    for (;;) {
      const links = await this.repository.links(loserId, LIMITS.mergeMoveBatchSize);
      if (links.length === 0) return moved;
      for (const link of links) {
        const task = await this.repository.get(link.taskId);
        if (!task || task.contactId !== loserId) {
          await transactWrite(this.store, [this.repository.staleLinkDelete(link)]);
          continue;
        }
        await this.write(task.id, undefined, actor, async (current) =>
          current.contactId === loserId ? { ...fieldsOf(current), contactId: survivorId } : undefined,
        );
        moved++;
      }
    }
  }

  async list(filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    if (filter.contactId && filter.assigneeId) {
      throw ValidationError.of('query', 'filter by contactId or by assigneeId, not both at once');
    }
    return this.repository.list(filter, page);
  }

  private write(
    id: string,
    ifMatch: number | undefined,
    actor: string,
    change: (current: Task) => Promise<TaskFields | undefined>,
  ): Promise<Task> {
    return writeWithRetry({
      entity: 'task',
      id,
      ifMatch,
      load: () => this.repository.require(id),
      write: async (current) => {
        const fields = await change(current);
        if (!fields) return current;
        const now = this.clock.now();
        const next = nextTask(current, fields, actor, now);
        await transactWrite(this.store, [
          ...this.repository.writes(current, next, now),
          ...(await this.completionEntry(current, next)),
        ]);
        return next;
      },
    });
  }

  /** The timeline entry of a task that just became done, when it is about a contact that is still there. */
  private async completionEntry(before: Task | undefined, after: Task): Promise<GuardedWrite[]> {
    if (!after.contactId || !justCompleted(before, after)) return [];
    const contact = await this.contacts.repository.get(after.contactId);
    if (!contact || contact.status === 'merged') return [];
    const entry = systemEntry('task.completed', `Task completed: ${after.title}`, after.completedAt!, { taskId: after.id });
    return [
      this.timeline.systemEntryWrite(after.contactId, entry, `task.completed:${after.id}:${after.version}`, after.updatedBy),
    ];
  }

  /** A task about a merged contact is about its survivor; an unknown contact is a 404. */
  private async withResolvedContact(fields: TaskFields, unchanged?: string): Promise<TaskFields> {
    if (!fields.contactId || fields.contactId === unchanged) return fields;
    const contact = await this.contacts.get(fields.contactId);
    return { ...fields, contactId: contact.id };
  }
}

function fieldsOf(task: Task): TaskFields {
  const { title, description, contactId, assigneeId, dueAt, remindAt, status } = task;
  return Object.fromEntries(
    Object.entries({ title, description, contactId, assigneeId, dueAt, remindAt, status }).filter(([, v]) => v !== undefined),
  ) as unknown as TaskFields;
}
