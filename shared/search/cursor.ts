import { createHash } from 'node:crypto';
import { ValidationError } from '../domain/errors.ts';
import type { SortOrder } from './port.ts';

export type SortValue = string | number | boolean | null;

/** Names a sort order, so a cursor from one search is refused by a search sorted differently. */
export function sortFingerprint(sort: SortOrder): string {
  const text = sort === 'relevance' ? 'relevance' : sort.map((k) => `${k.field.path}:${k.order}`).join(',');
  return createHash('sha256').update(text).digest('base64url').slice(0, 12);
}

/** The position after the last hit of a page: its sort values, id last. */
export function encodeSearchCursor(sort: SortOrder, after: readonly SortValue[]): string {
  return Buffer.from(JSON.stringify({ s: sortFingerprint(sort), a: after })).toString('base64url');
}

/** The sort values a cursor carries; a forged, foreign or malformed cursor is a 422 on `cursor`. */
export function decodeSearchCursor(cursor: string, sort: SortOrder): SortValue[] {
  const invalid = ValidationError.of('cursor', 'is not a cursor of this search (same sort) returned');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid;
  const { s, a } = parsed as { s?: unknown; a?: unknown };
  const keys = sort === 'relevance' ? 1 : sort.length;
  if (s !== sortFingerprint(sort) || !Array.isArray(a) || a.length !== keys + 1) throw invalid;
  const valid = (v: unknown) =>
    v === null ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v)) ||
    (typeof v === 'string' && v.length <= 4096);
  if (!a.every(valid) || typeof a[keys] !== 'string') throw invalid;
  return a as SortValue[];
}
