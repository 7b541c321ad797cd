import { beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { freshServices } from '../helpers/store.ts';
import { fixedClock } from '../../shared/domain/clock.ts';
import { NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { keys } from '../../shared/store/keys.ts';
import type { Services } from '../../shared/app/services.ts';

const clock = fixedClock('2026-03-01T09:00:00.000Z');
let services: Services;
beforeAll(async () => {
  services = await freshServices(clock);
});

const inHours = (hours: number) => new Date(clock.now().getTime() + hours * 3_600_000).toISOString();

describe('tasks on DynamoDB Local', () => {
  it('lists a contact’s, an assignee’s and everyone’s tasks: open first, soonest due first', async () => {
    const ada = (await services.contacts.create({ firstName: 'Ada' }, 'test')).id;
    const later = await services.tasks.create(
      { title: 'Send proposal', contactId: ada, assigneeId: 'user:kim', dueAt: inHours(48) },
      'test',
    );
    const sooner = await services.tasks.create(
      { title: 'Call back', contactId: ada, assigneeId: 'user:kim', dueAt: inHours(2) },
      'test',
    );
    const undated = await services.tasks.create({ title: 'Someday', contactId: ada }, 'test');
    const other = await services.tasks.create({ title: 'Not Ada', assigneeId: 'user:kim', dueAt: inHours(1) }, 'test');
    await services.tasks.complete(later.id, 'test');

    const titles = async (filter: Parameters<Services['tasks']['list']>[0]) =>
      (await services.tasks.list(filter, { limit: 50 })).results.map((t) => t.title);
    expect(await titles({ contactId: ada })).toEqual(['Call back', 'Someday', 'Send proposal']);
    expect(await titles({ contactId: ada, status: 'open' })).toEqual(['Call back', 'Someday']);
    expect(await titles({ contactId: ada, status: 'done' })).toEqual(['Send proposal']);
    expect(await titles({ assigneeId: 'user:kim', status: 'open' })).toEqual(['Not Ada', 'Call back']);
    expect(await titles({ status: 'open' })).toEqual(['Not Ada', 'Call back', 'Someday']);
    await expect(services.tasks.list({ contactId: ada, assigneeId: 'user:kim' }, { limit: 5 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect([sooner, undated, other].every((t) => t.version === 1)).toBe(true);
  });

  it('moves the contact link when the task moves to another contact, and drops it on delete', async () => {
    const [a, b] = [
      (await services.contacts.create({ firstName: 'From' }, 'test')).id,
      (await services.contacts.create({ firstName: 'To' }, 'test')).id,
    ];
    const task = await services.tasks.create({ title: 'Follow up', contactId: a }, 'test');
    await services.tasks.update(task.id, { contactId: b }, 'test');
    expect((await services.tasks.list({ contactId: a }, { limit: 5 })).results).toEqual([]);
    expect((await services.tasks.list({ contactId: b }, { limit: 5 })).results.map((t) => t.id)).toEqual([task.id]);
    await services.tasks.remove(task.id);
    expect((await services.tasks.list({ contactId: b }, { limit: 5 })).results).toEqual([]);
    await expect(services.tasks.get(task.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(services.tasks.create({ title: 'x', contactId: '01J00000000000000000000000' }, 'test')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('writes one system entry on the contact’s timeline when a task about them is completed', async () => {
    const c = (await services.contacts.create({ firstName: 'Done' }, 'test')).id;
    const task = await services.tasks.create({ title: 'Send the contract', contactId: c }, 'test');
    const done = await services.tasks.complete(task.id, 'key:closer');
    expect(done).toMatchObject({ status: 'done', completedBy: 'key:closer', completedAt: clock.now().toISOString(), version: 2 });
    expect(await services.tasks.complete(task.id, 'key:closer')).toMatchObject({ version: 2 });
    const timeline = (await services.timeline.list(c, { limit: 10 })).results;
    expect(timeline).toMatchObject([
      { kind: 'system', systemEvent: 'task.completed', subject: 'Task completed: Send the contract', data: { taskId: task.id } },
    ]);
  });
});

describe('reminders on DynamoDB Local', () => {
  /** Each case on its own table, with a first sweep already done at `start`, as a running system would have. */
  async function runningSince(start: string) {
    const clock = fixedClock(start);
    const services = await freshServices(clock);
    await services.reminders.fireDueReminders();
    const remind = (title: string, remindAt: string) => services.tasks.create({ title, remindAt }, 'test');
    return { clock, services, remind };
  }

  it('fires each due reminder exactly once when two sweeps overlap', async () => {
    const { clock, services, remind } = await runningSince('2026-03-02T10:00:00.000Z');
    const tasks = await Promise.all(Array.from({ length: 12 }, (_, i) => remind(`Overlap ${i}`, '2026-03-02T10:03:00.000Z')));
    clock.set('2026-03-02T10:03:01.000Z');
    const [one, two] = await Promise.all([services.reminders.fireDueReminders(), services.reminders.fireDueReminders()]);
    expect(one.fired + two.fired).toBe(12);
    const after = await Promise.all(tasks.map((t) => services.tasks.get(t.id)));
    expect(
      after.every((t) => t.remindedAt === '2026-03-02T10:03:01.000Z' && t.version === 2 && t.updatedBy === 'system:reminders'),
    ).toBe(true);
    const stillIndexed = await services.store.db.send(
      new QueryCommand({
        TableName: services.store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.task(tasks[0]!.id).pk },
      }),
    );
    expect(stillIndexed.Items![0]!.gsi2pk).toBeUndefined();
    expect((await services.reminders.fireDueReminders()).fired).toBe(0);
  });

  it('does not fire a reminder before its time, and fires it in a late run', async () => {
    const { clock, services, remind } = await runningSince('2026-03-03T08:00:00.000Z');
    const task = await remind('Late', '2026-03-03T08:10:30.000Z');
    clock.set('2026-03-03T08:10:29.000Z');
    expect((await services.reminders.fireDueReminders()).fired).toBe(0);
    clock.set('2026-03-03T08:11:52.000Z'); // the 08:11 run comes 52 seconds late
    expect((await services.reminders.fireDueReminders()).fired).toBe(1);
    expect((await services.tasks.get(task.id)).remindedAt).toBe('2026-03-03T08:11:52.000Z');
  });

  it('catches up missed minutes from the checkpoint', async () => {
    const { clock, services, remind } = await runningSince('2026-03-04T12:00:00.000Z');
    const due = await Promise.all(
      [1, 7, 45].map((m) => remind(`Missed ${m}`, new Date(Date.parse('2026-03-04T12:00:00Z') + m * 60_000).toISOString())),
    );
    const notYet = await remind('Tomorrow', '2026-03-05T12:00:00.000Z');
    clock.set('2026-03-04T13:30:00.000Z'); // ninety minutes without a sweep
    const sweep = await services.reminders.fireDueReminders();
    expect(sweep).toMatchObject({ fired: 3, checkpoint: '2026-03-04T13:29' });
    expect(sweep.minutesSwept).toBe(5 + 91); // the rescan of 11:55–11:59, then 12:00 through 13:30
    expect((await Promise.all(due.map((t) => services.tasks.get(t.id)))).every((t) => t.remindedAt !== undefined)).toBe(true);
    expect((await services.tasks.get(notYet.id)).remindedAt).toBeUndefined();
  });

  it('catches up a long outage over several runs, bounded per run, losing nothing', async () => {
    const { clock, services, remind } = await runningSince('2026-03-08T00:00:00.000Z');
    const early = await remind('Early in the outage', '2026-03-08T00:30:00.000Z');
    const late = await remind('Late in the outage', '2026-03-08T05:30:00.000Z');
    clock.set('2026-03-08T06:00:00.000Z'); // six hours down
    const runs = [];
    for (let run = 0; run < 4; run++) {
      runs.push(await services.reminders.fireDueReminders());
      clock.advance(60_000);
    }
    expect(runs.map((r) => r.minutesSwept).every((m) => m <= 120)).toBe(true);
    expect(runs.map((r) => r.fired)).toEqual([1, 0, 1, 0]);
    expect((await services.tasks.get(early.id)).remindedAt).toBe('2026-03-08T06:00:00.000Z');
    expect((await services.tasks.get(late.id)).remindedAt).toBe('2026-03-08T06:02:00.000Z');
  });

  it('re-arms a rescheduled reminder and fires it once more, at the new time only', async () => {
    const { clock, services, remind } = await runningSince('2026-03-05T09:00:00.000Z');
    const task = await remind('Reschedule', '2026-03-05T09:05:00.000Z');
    await services.tasks.update(task.id, { remindAt: '2026-03-05T09:20:00.000Z' }, 'test'); // before it fired
    clock.set('2026-03-05T09:06:00.000Z');
    expect((await services.reminders.fireDueReminders()).fired).toBe(0);
    clock.set('2026-03-05T09:20:00.000Z');
    expect((await services.reminders.fireDueReminders()).fired).toBe(1);
    await services.tasks.update(task.id, { remindAt: '2026-03-05T09:40:00.000Z' }, 'test'); // after it fired: re-armed
    expect((await services.tasks.get(task.id)).remindedAt).toBeUndefined();
    clock.set('2026-03-05T09:41:00.000Z');
    expect((await services.reminders.fireDueReminders()).fired).toBe(1);
    expect((await services.reminders.fireDueReminders()).fired).toBe(0);
  });

  it('fires a reminder set in the past at the next sweep, and never for a completed task', async () => {
    const { clock, services, remind } = await runningSince('2026-03-06T09:30:00.000Z');
    const overdue = await remind('Overdue', '2026-03-01T00:00:00.000Z');
    const done = await remind('Done first', '2026-03-06T09:31:00.000Z');
    await services.tasks.complete(done.id, 'test');
    clock.set('2026-03-06T09:32:00.000Z');
    expect((await services.reminders.fireDueReminders()).fired).toBe(1);
    expect((await services.tasks.get(overdue.id)).remindedAt).toBeDefined();
    expect((await services.tasks.get(done.id)).remindedAt).toBeUndefined();
  });

  it('runs as the scheduled `reminders` function', async () => {
    const { create } = await import('../../functions/reminders/app.ts');
    const { clock, services, remind } = await runningSince('2026-03-07T07:00:00.000Z');
    const task = await remind('Via schedule', '2026-03-07T07:01:00.000Z');
    clock.set('2026-03-07T07:01:00.000Z');
    const result = await create(services)({ schedule: 'task-reminders', scheduledTime: '2026-03-07T07:01:00Z' }, {} as never);
    expect(result.fired).toBe(1);
    expect((await services.tasks.get(task.id)).remindedAt).toBe('2026-03-07T07:01:00.000Z');
  });
});
