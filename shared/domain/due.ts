import { createHash } from 'node:crypto';

/**
 * Work that falls due at a time (a task reminder, a webhook retry) waits in a sparse index by
 * minute: one partition per minute and shard while it waits, gone once done. A sweep reads the
 * minutes since its checkpoint, so its cost follows what is due, not everything that exists.
 */

const MINUTE_MS = 60_000;

/** `2026-01-31T09:05`: the minute an instant falls in, UTC. */
export function minuteOf(ms: number): string {
  return new Date(Math.floor(ms / MINUTE_MS) * MINUTE_MS).toISOString().slice(0, 16);
}

export function minuteStart(minute: string): number {
  return Date.parse(`${minute}:00.000Z`);
}

function addMinutes(minute: string, count: number): string {
  return minuteOf(minuteStart(minute) + count * MINUTE_MS);
}

/**
 * The minute something due at `dueMs` waits in. Work that is already due when written goes into
 * the minute of writing, which the next sweep reads, never into a minute a sweep has left behind.
 */
export function waitingMinute(dueMs: number, writtenMs: number): string {
  return minuteOf(Math.max(dueMs, writtenMs));
}

/** A stable shard for an id, so rewriting the same item lands in the same partition. */
export function shardOf(id: string, shards: number): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % shards;
}

export interface SweepLimits {
  /** Minutes re-read before the checkpoint, for writes that landed late. */
  rescanMinutes: number;
  /** Minutes one sweep reads at most. */
  maxMinutesPerRun: number;
}

export interface SweepPlan {
  /** The minutes to read, oldest first. */
  minutes: string[];
  /** The newest minute this sweep leaves complete (never the one still running). */
  checkpoint: string;
}

/**
 * Which minutes a sweep at `now` reads, given the newest minute swept completely before.
 * A sweep after an outage catches up from the checkpoint, `maxMinutesPerRun` at a time, and the
 * following runs continue from there. The very first sweep (no checkpoint: a new table) only
 * looks back the rescan window: nothing can wait in a minute before the first write.
 */
export function sweepPlan(checkpoint: string | undefined, now: Date, limits: SweepLimits): SweepPlan {
  const current = minuteOf(now.getTime());
  const from = checkpoint ? addMinutes(checkpoint, 1 - limits.rescanMinutes) : addMinutes(current, 1 - limits.maxMinutesPerRun);
  const last =
    minuteStart(addMinutes(from, limits.maxMinutesPerRun - 1)) < minuteStart(current)
      ? addMinutes(from, limits.maxMinutesPerRun - 1)
      : current;
  const minutes: string[] = [];
  for (let minute = from; minuteStart(minute) <= minuteStart(last); minute = addMinutes(minute, 1)) minutes.push(minute);
  const complete = last === current ? addMinutes(current, -1) : last;
  // Never hand back a checkpoint older than the one we started from (a rescan is not progress lost).
  const checkpointOut = checkpoint && minuteStart(checkpoint) > minuteStart(complete) ? checkpoint : complete;
  return { minutes, checkpoint: checkpointOut };
}
