import { SUGGEST_THRESHOLD, type PairScore } from './scoring.ts';
import { NotFoundError } from '../errors.ts';
import { isId } from '../ids.ts';

/**
 * A duplicate suggestion: two contacts the engine believes are one person, for a data
 * steward to merge or dismiss. Its lifecycle:
 *
 *   open ──dismiss──▶ dismissed ──(either contact's identity changes and still matches)──▶ open
 *   open ──(score falls below the threshold, or a contact is archived)──▶ withdrawn ──(matches again)──▶ open
 *   any  ──(the two are merged, or one is merged elsewhere)──▶ merged (final)
 */
export const DUPLICATE_STATUSES = ['open', 'dismissed', 'withdrawn', 'merged'] as const;
export type DuplicateStatus = (typeof DUPLICATE_STATUSES)[number];

export interface DuplicatePair {
  /** `<a>-<b>` with a < b: the same pair always has the same id. */
  id: string;
  contactIds: [string, string];
  score: number;
  reasons: string[];
  status: DuplicateStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** The contact versions this score was computed from: an older computation never overwrites a newer one. */
  contactVersions: Record<string, number>;
  /** Identity fingerprints of both contacts when scored. */
  fingerprints: Record<string, string>;
  dismissedAt?: string;
  dismissedBy?: string;
  /** Fingerprints at dismissal: the pair stays dismissed while both are unchanged. */
  dismissedFingerprints?: Record<string, string>;
}

export function pairId(a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  return `${x}-${y}`;
}

/** The two contact ids of a pair id, or a 404-worthy `undefined` when it is not one. */
export function parsePairId(id: string): [string, string] | undefined {
  const parts = id.split('-');
  if (parts.length !== 2) return undefined;
  const [a, b] = parts as [string, string];
  return isId(a) && isId(b) && a < b ? [a, b] : undefined;
}

/** The two contact ids of a pair id; an id that cannot be one names no suggestion (404). */
export function requirePairId(id: string): [string, string] {
  const ids = parsePairId(id);
  if (!ids) throw new NotFoundError('duplicate', id);
  return ids;
}

/** What the engine now knows about a pair: its score from the contacts at these versions. */
export interface PairObservation {
  ids: [string, string];
  result: PairScore;
  contactVersions: Record<string, number>;
  fingerprints: Record<string, string>;
}

/**
 * The next state of a suggestion given a fresh observation, or `undefined` when nothing must
 * be written. Pure, so the consumer, the audit and the tests agree on every transition.
 */
export function nextSuggestion(
  existing: DuplicatePair | undefined,
  seen: PairObservation,
  now: string,
  threshold = SUGGEST_THRESHOLD,
): DuplicatePair | undefined {
  const matches = seen.result.score >= threshold;
  const [a, b] = seen.ids;
  if (!existing) {
    if (!matches) return undefined;
    return {
      id: pairId(a, b),
      contactIds: [a, b],
      score: seen.result.score,
      reasons: seen.result.reasons,
      status: 'open',
      version: 1,
      createdAt: now,
      updatedAt: now,
      contactVersions: seen.contactVersions,
      fingerprints: seen.fingerprints,
    };
  }
  if (existing.status === 'merged') return undefined;
  // Computed from older versions of either contact than what is stored: a late event.
  if (seen.ids.some((id) => (seen.contactVersions[id] ?? 0) < (existing.contactVersions[id] ?? 0))) return undefined;
  const scored = {
    score: seen.result.score,
    reasons: seen.result.reasons,
    contactVersions: seen.contactVersions,
    fingerprints: seen.fingerprints,
  };
  const changed = (next: DuplicatePair) =>
    next.status !== existing.status || next.score !== existing.score || next.reasons.join('\n') !== existing.reasons.join('\n')
      ? { ...next, version: existing.version + 1, updatedAt: now }
      : undefined;
  switch (existing.status) {
    case 'open':
      return changed({ ...existing, ...scored, status: matches ? 'open' : 'withdrawn' });
    case 'withdrawn':
      return matches ? changed({ ...existing, ...scored, status: 'open' }) : undefined;
    case 'dismissed': {
      const materiallyChanged = seen.ids.some((id) => existing.dismissedFingerprints?.[id] !== seen.fingerprints[id]);
      if (!materiallyChanged || !matches) return undefined;
      const { dismissedAt: _at, dismissedBy: _by, dismissedFingerprints: _fp, ...reopened } = existing;
      return changed({ ...reopened, ...scored, status: 'open' });
    }
  }
}
