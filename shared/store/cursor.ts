import { ValidationError } from '../domain/errors.ts';

type PageKey = Record<string, string>;

/** Opaque paging cursor: the DynamoDB LastEvaluatedKey, base64url-encoded. */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  if (!lastKey) return null;
  return Buffer.from(JSON.stringify(lastKey)).toString('base64url');
}

/**
 * Decodes a cursor a client sent back, checking it has exactly the key attributes of the
 * query and belongs to the same partition, so a forged cursor is a 422, never a 500.
 */
export function decodeCursor(
  cursor: string | undefined,
  expected: { attributes: readonly string[]; partition?: { attribute: string; value: string } },
): PageKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = ValidationError.of('cursor', 'is not a cursor this list returned');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid;
  const entries = Object.entries(parsed);
  const names = new Set(entries.map(([k]) => k));
  if (entries.length !== expected.attributes.length || !expected.attributes.every((a) => names.has(a))) throw invalid;
  if (!entries.every(([, v]) => typeof v === 'string' && v.length > 0 && v.length <= 1024)) throw invalid;
  const key = parsed as PageKey;
  if (expected.partition && key[expected.partition.attribute] !== expected.partition.value) throw invalid;
  return key;
}
