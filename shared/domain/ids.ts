import { createHash } from 'node:crypto';
import { encodeTime, monotonicFactory, ulid, TIME_MAX } from 'ulid';

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

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The same id for the same time and seed, so a record derived from an event (a system timeline
 * entry, a webhook delivery) is written once however often the event is delivered.
 */
export function derivedIdAt(at: number, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let random = '';
  for (let i = 0; i < 16; i++) {
    random = CROCKFORD[Number(bits & 31n)]! + random;
    bits >>= 5n;
  }
  return encodeTime(at, 10) + random;
}

/** Whether `ms` can be the time part of a ULID (1970 to year 10889). */
export function isIdTime(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms <= TIME_MAX;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(value: string): boolean {
  return ULID.test(value);
}
