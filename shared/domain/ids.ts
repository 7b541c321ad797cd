import { createHash } from 'node:crypto';
import { encodeTime, monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Time-ordered, monotonic within a process: ids created in the same millisecond still sort. */
export function newId(now: number = Date.now()): string {
  return nextUlid(now);
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(value: string): boolean {
  return ULID.test(value);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID that is a pure function of its inputs: the time part from `at`, the random part from a
 * hash of `seed`. Imports name the contact of row N of job J this way, so writing a row twice
 * (a worker that crashed and resumed) finds the first write instead of making a second contact.
 */
export function derivedId(at: number, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let random = '';
  // 16 characters × 5 bits = 80 bits of the digest.
  let bits = 0;
  let buffer = 0;
  for (const byte of digest) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && random.length < 16) {
      random += CROCKFORD[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (random.length === 16) break;
  }
  return encodeTime(at, 10) + random;
}
