import { sweepPlan } from '../domain/due.ts';
import { LIMITS } from '../domain/limits.ts';
import type { Clock } from '../domain/clock.ts';
import type { DueIndex } from '../store/due.ts';
import type { TaskRepository } from '../store/tasks.ts';

export interface ReminderSweep {
  /** Minutes of the due index read, rescanned ones included. */
  minutesSwept: number;
  /** Reminders this sweep fired (a concurrent sweep may have fired others). */
  fired: number;
  /** Pending reminders found but already fired or rescheduled by someone else. */
  skipped: number;
  checkpoint: string;
}

/**
 * Fires due task reminders, each EXACTLY once, however sweeps overlap, run late or are missed:
 * a sweep reads the minutes since the checkpoint (plus a short rescan) from the sparse index,
 * and fires each reminder by a conditional update that only one writer can win.
 */
export class ReminderService {
  private readonly index: DueIndex;
  private readonly tasks: TaskRepository;
  private readonly clock: Clock;

  constructor(deps: { index: DueIndex; tasks: TaskRepository; clock: Clock }) {
    this.index = deps.index;
    this.tasks = deps.tasks;
    this.clock = deps.clock;
  }

  async fireDueReminders(now: Date = this.clock.now()): Promise<ReminderSweep> {
    const plan = sweepPlan(await this.index.checkpoint(), now, {
      rescanMinutes: LIMITS.dueRescanMinutes,
      maxMinutesPerRun: LIMITS.maxDueMinutesPerRun,
    });
    let fired = 0;
    let skipped = 0;
    for (const minute of plan.minutes) {
      await this.index.forEachDue(minute, now.toISOString(), ['id', 'remindAt'], async (item) => {
        if (await this.tasks.fireReminder(item.id as string, item.remindAt as string, now)) fired++;
        else skipped++;
      });
    }
    await this.index.advance(plan.checkpoint, now.toISOString());
    return { minutesSwept: plan.minutes.length, fired, skipped, checkpoint: plan.checkpoint };
  }
}
