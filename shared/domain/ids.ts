import { createHash } from 'node:crypto';
import { monotonicFactory, ulid } from 'ulid';

const nextUlid = monotonicFactory();

/** Time-ordered, monotonic within a process: ids created in the same millisecond still sort. */
export function newId(now: number = Date.now()): string {
  return nextUlid(now);
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

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(value: string): boolean {
  return ULID.test(value);
}
