import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  latestOccurrence,
  nextOccurrence,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../../shared/events/schedule-expressions.ts';

const at = (iso: string) => new Date(iso);
const anchor = at('2026-03-02T09:00:30.000Z');

describe('schedule expressions (EventBridge Scheduler syntax, UTC)', () => {
  it('reads rates in minutes, hours and days, singular for one', () => {
    expect(parseScheduleExpression('rate(1 minute)')).toEqual({ kind: 'rate', everyMs: 60_000 });
    expect(parseScheduleExpression('rate(5 minutes)')).toEqual({ kind: 'rate', everyMs: 300_000 });
    expect(parseScheduleExpression('rate(2 hours)')).toEqual({ kind: 'rate', everyMs: 7_200_000 });
    expect(parseScheduleExpression('rate(1 day)')).toEqual({ kind: 'rate', everyMs: 86_400_000 });
  });

  it.each(['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(5 weeks)', 'every 5 minutes', 'cron(* * * * *)'])(
    'refuses %s',
    (text) => {
      expect(() => parseScheduleExpression(text)).toThrow(ScheduleExpressionError);
    },
  );

  it('refuses cron with both or neither day fields as ?, and the unsupported L W #', () => {
    expect(() => parseScheduleExpression('cron(0 3 * * * *)')).toThrow(/exactly one/);
    expect(() => parseScheduleExpression('cron(0 3 ? * ? *)')).toThrow(/exactly one/);
    expect(() => parseScheduleExpression('cron(0 3 15W * ? *)')).toThrow(/L, W or #/);
    expect(() => parseScheduleExpression('cron(0 3 ? * 2#1 *)')).toThrow(/L, W or #/);
    expect(() => parseScheduleExpression('cron(61 3 * * ? *)')).toThrow(/not in 0–59/);
  });

  it('runs a rate one period after the start, then every period', () => {
    const every5 = parseScheduleExpression('rate(5 minutes)');
    expect(nextOccurrence(every5, anchor, anchor)).toEqual(at('2026-03-02T09:05:30.000Z'));
    expect(nextOccurrence(every5, at('2026-03-02T09:05:30.000Z'), anchor)).toEqual(at('2026-03-02T09:10:30.000Z'));
    expect(latestOccurrence(every5, at('2026-03-02T09:04:00.000Z'), anchor)).toBeUndefined();
    expect(latestOccurrence(every5, at('2026-03-02T09:27:00.000Z'), anchor)).toEqual(at('2026-03-02T09:25:30.000Z'));
  });

  it('runs a daily cron at its minute, in UTC', () => {
    const nightly = parseScheduleExpression('cron(0 3 * * ? *)');
    expect(nextOccurrence(nightly, anchor, anchor)).toEqual(at('2026-03-03T03:00:00.000Z'));
    expect(latestOccurrence(nightly, at('2026-03-05T02:59:00.000Z'), anchor)).toEqual(at('2026-03-04T03:00:00.000Z'));
    expect(latestOccurrence(nightly, at('2026-03-03T02:00:00.000Z'), anchor)).toBeUndefined();
  });

  it('reads lists, ranges, steps and names', () => {
    const weekdays = parseScheduleExpression('cron(0/15 9-17 ? * MON-FRI *)');
    // 2026-03-07 is a Saturday.
    expect(nextOccurrence(weekdays, at('2026-03-06T17:45:00.000Z'), anchor)).toEqual(at('2026-03-09T09:00:00.000Z'));
    expect(nextOccurrence(weekdays, at('2026-03-09T09:00:00.000Z'), anchor)).toEqual(at('2026-03-09T09:15:00.000Z'));
    const quarterly = parseScheduleExpression('cron(30 6 1 JAN,APR,JUL,OCT ? *)');
    expect(nextOccurrence(quarterly, anchor, anchor)).toEqual(at('2026-04-01T06:30:00.000Z'));
    const sundays = parseScheduleExpression('cron(0 12 ? * 1 *)');
    expect(nextOccurrence(sundays, anchor, anchor)).toEqual(at('2026-03-08T12:00:00.000Z'));
  });

  it('runs L on the last day of each month', () => {
    const monthEnd = parseScheduleExpression('cron(0 0 L * ? *)');
    expect(nextOccurrence(monthEnd, anchor, anchor)).toEqual(at('2026-03-31T00:00:00.000Z'));
    expect(nextOccurrence(monthEnd, at('2026-03-31T00:00:00.000Z'), anchor)).toEqual(at('2026-04-30T00:00:00.000Z'));
    expect(nextOccurrence(monthEnd, at('2028-02-01T00:00:00.000Z'), anchor)).toEqual(at('2028-02-29T00:00:00.000Z'));
  });

  it('runs at(...) once, and a cron limited to past years never', () => {
    const once = parseScheduleExpression('at(2026-03-10T08:00:00)');
    expect(nextOccurrence(once, anchor, anchor)).toEqual(at('2026-03-10T08:00:00.000Z'));
    expect(nextOccurrence(once, at('2026-03-10T08:00:00.000Z'), anchor)).toBeUndefined();
    expect(nextOccurrence(parseScheduleExpression('cron(0 0 1 1 ? 2020)'), anchor, anchor)).toBeUndefined();
  });

  it('finds, as the latest occurrence, the one the next occurrence search would have reached', () => {
    const expressions = ['cron(*/7 * * * ? *)', 'cron(15 2,14 ? * TUE,THU *)', 'rate(3 hours)', 'cron(0 0 L * ? *)'].map(
      parseScheduleExpression,
    );
    fc.assert(
      fc.property(fc.constantFrom(...expressions), fc.integer({ min: 1, max: 60 * 24 * 90 }), (expression, minutes) => {
        const now = new Date(anchor.getTime() + minutes * 60_000);
        const latest = latestOccurrence(expression, now, anchor);
        if (latest === undefined) {
          const first = nextOccurrence(expression, anchor, anchor)!;
          expect(first > now).toBe(true);
        } else {
          expect(latest <= now && latest > anchor).toBe(true);
          expect(nextOccurrence(expression, latest, anchor)! > now).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
