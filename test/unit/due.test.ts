import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { minuteOf, shardOf, sweepPlan, waitingMinute } from '../../shared/domain/due.ts';
import { nextTask, isReminderPending, type Task } from '../../shared/domain/task.ts';

const limits = { rescanMinutes: 5, maxMinutesPerRun: 120 };
const at = (iso: string) => new Date(iso);

describe('minute buckets', () => {
  it('name the UTC minute an instant falls in', () => {
    expect(minuteOf(Date.parse('2026-01-31T09:05:59.999Z'))).toBe('2026-01-31T09:05');
  });

  it('put work that is already due into the minute of writing, never into one a sweep has passed', () => {
    const written = Date.parse('2026-01-31T09:05:10Z');
    expect(waitingMinute(Date.parse('2026-01-01T00:00:00Z'), written)).toBe('2026-01-31T09:05');
    expect(waitingMinute(Date.parse('2026-02-01T00:00:30Z'), written)).toBe('2026-02-01T00:00');
  });

  it('shard ids stably and evenly enough', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardOf(`task-${i}`, 4)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(850);
    expect(shardOf('x', 4)).toBe(shardOf('x', 4));
  });
});

describe('sweep plans', () => {
  it('read from a few minutes before the checkpoint through the current minute, and leave the current one open', () => {
    const plan = sweepPlan('2026-01-31T09:04', at('2026-01-31T09:05:30Z'), limits);
    expect(plan.minutes).toEqual([
      '2026-01-31T09:00',
      '2026-01-31T09:01',
      '2026-01-31T09:02',
      '2026-01-31T09:03',
      '2026-01-31T09:04',
      '2026-01-31T09:05',
    ]);
    expect(plan.checkpoint).toBe('2026-01-31T09:04');
  });

  it('catch up after an outage a bounded number of minutes at a time', () => {
    const plan = sweepPlan('2026-01-30T09:00', at('2026-01-31T09:00:00Z'), limits);
    expect(plan.minutes).toHaveLength(120);
    expect(plan.minutes[0]).toBe('2026-01-30T08:56');
    expect(plan.checkpoint).toBe(plan.minutes[119]);
  });

  it('never skip a minute between consecutive sweeps, whenever they run, and always progress', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 * 60 * 60 * 1000 }), { minLength: 1, maxLength: 30 }), (gaps) => {
        let now = Date.parse('2026-01-31T00:00:00Z');
        let checkpoint: string | undefined;
        let covered = -Infinity;
        for (const gap of gaps) {
          now += gap;
          const plan = sweepPlan(checkpoint, new Date(now), limits);
          if (checkpoint) expect(Date.parse(`${plan.minutes[0]}:00Z`)).toBeLessThanOrEqual(covered + 60_000);
          covered = Math.max(covered, Date.parse(`${plan.checkpoint}:00Z`));
          checkpoint = plan.checkpoint;
          expect(plan.minutes.length).toBeLessThanOrEqual(limits.maxMinutesPerRun);
        }
      }),
    );
  });
});

describe('task transitions', () => {
  const base: Task = {
    id: 't',
    title: 'Call back',
    status: 'open',
    remindAt: '2026-01-31T10:00:00.000Z',
    remindedAt: '2026-01-31T10:00:20.000Z',
    version: 3,
    createdAt: 'x',
    updatedAt: 'x',
    createdBy: 'a',
    updatedBy: 'a',
  };
  const now = at('2026-01-31T11:00:00Z');

  it('re-arm a fired reminder when remindAt changes, and keep it fired otherwise', () => {
    expect(
      isReminderPending(nextTask(base, { title: 'Call back', status: 'open', remindAt: '2026-02-01T10:00:00.000Z' }, 'b', now)),
    ).toBe(true);
    const retitled = nextTask(base, { title: 'Call Ada back', status: 'open', remindAt: base.remindAt }, 'b', now);
    expect(retitled.remindedAt).toBe(base.remindedAt);
    expect(isReminderPending(retitled)).toBe(false);
  });

  it('stamp completion once, and clear it on reopening', () => {
    const done = nextTask(base, { title: 'Call back', status: 'done' }, 'b', now);
    expect(done).toMatchObject({ completedAt: now.toISOString(), completedBy: 'b', version: 4 });
    expect(isReminderPending({ ...done, remindedAt: undefined })).toBe(false);
    const reopened = nextTask(done, { title: 'Call back', status: 'open' }, 'c', now);
    expect(reopened.completedAt).toBeUndefined();
  });
});
