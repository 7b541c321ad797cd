import { functions, type ScheduleSpec } from '../topology.ts';
import {
  latestOccurrence,
  nextOccurrence,
  parseScheduleExpression,
  type ScheduleExpression,
} from '../../shared/events/schedule-expressions.ts';
import type { Clock } from '../../shared/domain/clock.ts';
import type { ScheduledInvocation } from '../../shared/events/types.ts';
import type { Deliverer, DeliveryOutcome } from './delivery.ts';

/** Longest the real-time timer sleeps before looking at the clock again (it may have been moved). */
const MAX_TIMER_MS = 60_000;

interface ScheduleState {
  spec: ScheduleSpec;
  expression: ScheduleExpression;
  /** When the scheduler started: rate schedules count their periods from here. */
  startedAt: Date;
  /** Occurrences at or before this time have run (or were before the scheduler started). */
  doneUpTo: Date;
}

export interface LocalSchedulerOptions {
  schedules: readonly ScheduleSpec[];
  deliverer: Deliverer;
  clock: Clock;
  /** Run on a timer against the clock (`npm start`); otherwise only `tick()` runs schedules (tests). */
  realTime: boolean;
  onError?: (message: string, error: unknown) => void;
}

/**
 * EventBridge Scheduler for the topology's `schedules`, in process and driven by the Clock
 * port. Each due schedule invokes its function with `{ schedule, scheduledTime }` through the
 * same retries and dead letters as events. Occurrences missed while time jumped (a test moving
 * the clock, a laptop waking up) run once, as the latest of them: what a schedule does must
 * depend on `scheduledTime`, never on how many calls preceded it.
 */
export class LocalScheduler {
  private readonly options: LocalSchedulerOptions;
  private readonly states: ScheduleState[];
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(options: LocalSchedulerOptions) {
    this.options = options;
    const started = options.clock.now();
    this.states = options.schedules.map((spec) => {
      if (!(spec.function in functions)) throw new Error(`Schedule ${spec.name}: no function ${spec.function}`);
      return { spec, expression: parseScheduleExpression(spec.expression), startedAt: started, doneUpTo: started };
    });
  }

  start(): void {
    if (this.options.realTime) this.arm();
  }

  /**
   * Runs every schedule due up to `now` (default: the clock's now) and resolves once their
   * invocations were delivered or dead-lettered.
   */
  tick(now: Date = this.options.clock.now()): Promise<ScheduledInvocation[]> {
    const run = this.ticking.then(() => this.runDue(now));
    this.ticking = run.catch(() => undefined);
    return run;
  }

  /** When the next schedule falls due, if any ever does. */
  nextDue(): Date | undefined {
    const upcoming = this.states
      .map((state) => nextOccurrence(state.expression, state.doneUpTo, state.startedAt))
      .filter((at): at is Date => at !== undefined);
    return upcoming.length > 0 ? new Date(Math.min(...upcoming.map((at) => at.getTime()))) : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
  }

  private async runDue(now: Date): Promise<ScheduledInvocation[]> {
    const invocations: ScheduledInvocation[] = [];
    const deliveries: Promise<DeliveryOutcome>[] = [];
    for (const state of this.states) {
      if (now <= state.doneUpTo) continue;
      const occurrence = latestOccurrence(state.expression, now, state.startedAt);
      if (occurrence && occurrence > state.doneUpTo) {
        const invocation = { schedule: state.spec.name, scheduledTime: occurrence.toISOString() };
        invocations.push(invocation);
        deliveries.push(
          this.options.deliverer.deliver({ kind: 'schedule', name: state.spec.name, function: state.spec.function }, invocation),
        );
      }
      state.doneUpTo = now;
    }
    await Promise.all(deliveries);
    return invocations;
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.nextDue();
    if (!next) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, next.getTime() - this.options.clock.now().getTime()));
    this.timer = setTimeout(() => {
      this.tick()
        .catch((error: unknown) => this.options.onError?.('a schedule tick failed', error))
        .finally(() => this.arm());
    }, wait);
  }
}
