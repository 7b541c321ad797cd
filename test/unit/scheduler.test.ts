import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalScheduler } from '../../infra/local/scheduler.ts';
import { Deliverer, type DeliveryPayload } from '../../infra/local/delivery.ts';
import { MemoryDeadLetterStore } from '../../shared/events/dead-letters.ts';
import { fixedClock, type Clock } from '../../shared/domain/clock.ts';
import type { ScheduleSpec } from '../../infra/topology.ts';
import type { ScheduledInvocation } from '../../shared/events/types.ts';

const SCHEDULES: ScheduleSpec[] = [
  { name: 'due-reminders', function: 'history', expression: 'rate(1 minute)', description: 'every minute' },
  { name: 'nightly-audit', function: 'history', expression: 'cron(0 3 * * ? *)', description: 'at 03:00 UTC' },
];

function schedulerAt(clock: Clock, fail: (invocation: ScheduledInvocation) => boolean = () => false, realTime = false) {
  const calls: { fn: string; payload: DeliveryPayload }[] = [];
  const deadLetters = new MemoryDeadLetterStore();
  const deliverer = new Deliverer({
    invoke: async (fn, payload) => {
      calls.push({ fn, payload });
      if (fail(payload as ScheduledInvocation)) throw new Error('the audit failed');
    },
    deadLetters,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    concurrency: 2,
  });
  const scheduler = new LocalScheduler({ schedules: SCHEDULES, deliverer, clock, realTime });
  return { scheduler, calls, deadLetters };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the local scheduler', () => {
  it('runs nothing before a schedule is due', async () => {
    const clock = fixedClock('2026-03-02T09:00:00.000Z');
    const { scheduler, calls } = schedulerAt(clock);
    expect(await scheduler.tick(new Date('2026-03-02T09:00:59.000Z'))).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('invokes the function with { schedule, scheduledTime } when its time comes', async () => {
    const clock = fixedClock('2026-03-02T09:00:00.000Z');
    const { scheduler, calls } = schedulerAt(clock);
    clock.advance(60_000);
    expect(await scheduler.tick()).toEqual([{ schedule: 'due-reminders', scheduledTime: '2026-03-02T09:01:00.000Z' }]);
    expect(calls).toEqual([{ fn: 'history', payload: { schedule: 'due-reminders', scheduledTime: '2026-03-02T09:01:00.000Z' } }]);
    expect(await scheduler.tick()).toEqual([]);
  });

  it('runs what time skipped over once, as its latest occurrence', async () => {
    const clock = fixedClock('2026-03-02T09:00:00.000Z');
    const { scheduler } = schedulerAt(clock);
    const ran = await scheduler.tick(new Date('2026-03-04T10:30:10.000Z'));
    expect(ran).toEqual([
      { schedule: 'due-reminders', scheduledTime: '2026-03-04T10:30:00.000Z' },
      { schedule: 'nightly-audit', scheduledTime: '2026-03-04T03:00:00.000Z' },
    ]);
  });

  it('knows when the next schedule falls due', async () => {
    const clock = fixedClock('2026-03-02T09:00:00.000Z');
    const { scheduler } = schedulerAt(clock);
    expect(scheduler.nextDue()).toEqual(new Date('2026-03-02T09:01:00.000Z'));
  });

  it('retries a failing invocation and dead-letters it with its schedule', async () => {
    const clock = fixedClock('2026-03-02T02:59:00.000Z');
    const { scheduler, deadLetters } = schedulerAt(clock, (invocation) => invocation.schedule === 'nightly-audit');
    await scheduler.tick(new Date('2026-03-02T03:00:00.000Z'));
    const [id] = await deadLetters.ids();
    expect(await deadLetters.get(id!)).toMatchObject({
      target: { kind: 'schedule', name: 'nightly-audit', function: 'history' },
      payload: { schedule: 'nightly-audit', scheduledTime: '2026-03-02T03:00:00.000Z' },
      attempts: 2,
      error: { message: 'the audit failed' },
    });
  });

  it('refuses a schedule it cannot run', () => {
    const clock = fixedClock('2026-03-02T09:00:00.000Z');
    const deliverer = new Deliverer({
      invoke: async () => undefined,
      deadLetters: new MemoryDeadLetterStore(),
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      concurrency: 1,
    });
    const bad = [{ name: 'x', function: 'history' as const, expression: 'rate(5 weeks)', description: '' }];
    expect(() => new LocalScheduler({ schedules: bad, deliverer, clock, realTime: false })).toThrow(/rate\(5 weeks\)/);
  });

  it('runs on its own timer against real time', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-02T09:00:00.000Z') });
    const systemLike: Clock = { now: () => new Date() };
    const { scheduler, calls } = schedulerAt(systemLike, () => false, true);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(61_000);
    expect(calls.map((c) => (c.payload as ScheduledInvocation).scheduledTime)).toEqual(['2026-03-02T09:01:00.000Z']);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveLength(3);
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls).toHaveLength(3);
  });
});
