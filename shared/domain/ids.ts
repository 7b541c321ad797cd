import { createHash } from 'node:crypto';
import { monotonicFactory, ulid, TIME_MAX } from 'ulid';

const nextUlid = monotonicFactory();

/** Time-ordered, monotonic within a process: ids created in the same millisecond still sort. */
export function newId(now: number = Date.now()): string {
  return nextUlid(now);
}

/**
 * A ULID whose time part is `at` rather than the moment of writing, so records sort by when
 * something happened (an activity logged today about last week's call sorts last week).
 * Not monotonic: a monotonic factory would clamp a past time to the newest one it has seen.
 */
export function idAt(at: number): string {
  return ulid(at);
}

/**
 * The id of something that happened at `time`, always the same for the same `seed`: a ULID
 * whose random part is a hash. Idempotent writes key on it and still sort by time.
 */
export function idFor(time: number, seed: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  let next = 0;
  return ulid(time, () => bytes[next++]! / 256);
}

/** Whether `ms` can be the time part of a ULID (1970 to year 10889). */
export function isIdTime(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms <= TIME_MAX;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(value: string): boolean {
  return ULID.test(value);
}
