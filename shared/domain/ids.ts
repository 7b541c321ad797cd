import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Time-ordered, monotonic within a process: ids created in the same millisecond still sort. */
export function newId(now: number = Date.now()): string {
  return nextUlid(now);
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(value: string): boolean {
  return ULID.test(value);
}
