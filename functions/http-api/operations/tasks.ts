import * as z from 'zod';
import { TASK_STATUSES, TaskInput } from '../../../shared/domain/task.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { EntityMeta, IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';

export const TaskView = z
  .object({
    ...EntityMeta,
    title: z.string(),
    description: z.string().optional(),
    contactId: z.string().optional(),
    assigneeId: z.string().optional(),
    dueAt: z.iso.datetime().optional(),
    remindAt: z.iso.datetime().optional(),
    remindedAt: z.iso.datetime().optional().meta({ description: 'When the reminder for the current `remindAt` fired' }),
    status: z.enum(TASK_STATUSES),
    completedAt: z.iso.datetime().optional(),
    completedBy: z.string().optional(),
  })
  .meta({ id: 'Task' });

const taskResponse = { description: 'The task', schema: TaskView };

export const taskOperations = {
  createTask: operation({
    tag: 'Tasks',
    summary: 'Create a task',
    description: 'With `remindAt`, `task.reminder_due` fires once at that minute (or at once if it has passed).',
    body: TaskInput,
    idempotent: true,
    responses: { 201: taskResponse },
    async handle({ body, principal }, { tasks }) {
      const task = await tasks.create(body, principal.id);
      return {
        status: 201,
        body: task,
        version: task.version,
        location: `/v1/tasks/${task.id}`,
        ...(task.contactId ? { aboutContacts: [task.contactId] } : {}),
      };
    },
  }),

  listTasks: operation({
    tag: 'Tasks',
    summary: 'List tasks: open first, soonest due first',
    description: 'Filter by `contactId` or `assigneeId` (one at a time), and by `status`.',
    query: PageQuery.extend({
      contactId: z.string().min(1).max(256).optional(),
      assigneeId: z.string().min(1).max(64).optional(),
      status: z.enum(TASK_STATUSES).optional(),
    }),
    responses: { 200: { description: 'A page of tasks', schema: pageOf(TaskView) } },
    async handle({ query }, { tasks }) {
      const { limit, cursor, ...filter } = query;
      return { body: await tasks.list(filter, { limit, cursor }) };
    },
  }),

  getTask: operation({
    tag: 'Tasks',
    summary: 'Read a task',
    params: IdParams,
    responses: { 200: taskResponse },
    async handle({ params }, { tasks }) {
      const task = await tasks.get(params.id);
      return { body: task, version: task.version };
    },
  }),

  updateTask: operation({
    tag: 'Tasks',
    summary: 'Update a task (JSON merge patch)',
    description: '`status: "done"` completes it; a new `remindAt` re-arms the reminder.',
    params: IdParams,
    body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON merge patch of the task' }),
    responses: { 200: taskResponse },
    async handle({ params, body, headers, principal }, { tasks }) {
      const task = await tasks.update(params.id, body, principal.id, ifMatchVersion(headers, 'task', params.id));
      return { body: task, version: task.version };
    },
  }),

  completeTask: operation({
    tag: 'Tasks',
    summary: 'Complete a task',
    description:
      "A task about a contact leaves a system entry on the contact's timeline. Completing a done task changes nothing.",
    params: IdParams,
    idempotent: true,
    responses: { 200: taskResponse },
    async handle({ params, headers, principal }, { tasks }) {
      const task = await tasks.complete(params.id, principal.id, ifMatchVersion(headers, 'task', params.id));
      return { body: task, version: task.version, ...(task.contactId ? { aboutContacts: [task.contactId] } : {}) };
    },
  }),

  deleteTask: operation({
    tag: 'Tasks',
    summary: 'Delete a task',
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    async handle({ params, headers }, { tasks }) {
      await tasks.remove(params.id, ifMatchVersion(headers, 'task', params.id));
      return { status: 204 };
    },
  }),
};
