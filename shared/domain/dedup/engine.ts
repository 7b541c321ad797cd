import { LIMITS } from '../limits.ts';
import { blockingKeys } from './blocking.ts';
import { scorePair, SUGGEST_THRESHOLD, type PairScore } from './scoring.ts';
import type { MatchProfile } from './profile.ts';

/** Two profiles the engine believes may be one person. `ids` are ordered (a < b). */
export interface ScoredPair extends PairScore {
  ids: [string, string];
}

export interface FinderOptions {
  /** Pairs below it are not reported. Defaults to SUGGEST_THRESHOLD. */
  threshold?: number;
  /** Blocks larger than this are skipped (too common to discriminate). */
  maxBlockSize?: number;
}

/**
 * The dedup engine in memory: files profiles under their blocking keys and scores only the
 * pairs that share a key. Used by the periodic audit (the whole table), by imports (rows of
 * a file among themselves, and each row against candidates read from the table) and by the
 * benchmark. Pure: no I/O, no clock.
 */
export class DuplicateFinder {
  private readonly profiles = new Map<string, MatchProfile>();
  private readonly blocks = new Map<string, string[]>();
  private readonly threshold: number;
  private readonly maxBlockSize: number;

  constructor(options: FinderOptions = {}) {
    this.threshold = options.threshold ?? SUGGEST_THRESHOLD;
    this.maxBlockSize = options.maxBlockSize ?? LIMITS.maxDedupBlockSize;
  }

  get size(): number {
    return this.profiles.size;
  }

  add(profile: MatchProfile): void {
    if (this.profiles.has(profile.id)) return;
    this.profiles.set(profile.id, profile);
    for (const key of blockingKeys(profile)) {
      const members = this.blocks.get(key);
      if (members) members.push(profile.id);
      else this.blocks.set(key, [profile.id]);
    }
  }

  addAll(profiles: Iterable<MatchProfile>): this {
    for (const profile of profiles) this.add(profile);
    return this;
  }

  /** Filed profiles that share a usable block with `profile` (itself excluded). */
  candidatesOf(profile: MatchProfile): MatchProfile[] {
    const ids = new Set<string>();
    for (const key of blockingKeys(profile)) {
      const members = this.blocks.get(key);
      if (!members || members.length > this.maxBlockSize) continue;
      for (const id of members) if (id !== profile.id) ids.add(id);
    }
    return [...ids].flatMap((id) => this.profiles.get(id) ?? []);
  }

  /** Filed profiles that match `profile` at or above the threshold, best first. */
  matchesOf(profile: MatchProfile): ScoredPair[] {
    return this.candidatesOf(profile)
      .map((candidate) => pairOf(profile, candidate))
      .filter((pair) => pair.score >= this.threshold)
      .sort(bestFirst);
  }

  /** Every pair among the filed profiles at or above the threshold, best first; each pair once. */
  allPairs(): ScoredPair[] {
    const seen = new Set<string>();
    const pairs: ScoredPair[] = [];
    for (const members of this.blocks.values()) {
      if (members.length < 2 || members.length > this.maxBlockSize) continue;
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) {
          const [a, b] = orderedIds(members[i]!, members[j]!);
          const id = `${a} ${b}`;
          if (seen.has(id)) continue;
          seen.add(id);
          const pair = pairOf(this.profiles.get(a)!, this.profiles.get(b)!);
          if (pair.score >= this.threshold) pairs.push(pair);
        }
      }
    }
    return pairs.sort(bestFirst);
  }

  /** How many distinct pairs blocking lets through (the work allPairs does). */
  candidatePairCount(): number {
    const seen = new Set<string>();
    for (const members of this.blocks.values()) {
      if (members.length < 2 || members.length > this.maxBlockSize) continue;
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) seen.add(orderedIds(members[i]!, members[j]!).join(' '));
      }
    }
    return seen.size;
  }
}

export function pairOf(a: MatchProfile, b: MatchProfile): ScoredPair {
  const ids = orderedIds(a.id, b.id);
  const [first, second] = ids[0] === a.id ? [a, b] : [b, a];
  return { ids, ...scorePair(first, second) };
}

export function orderedIds(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

function bestFirst(x: ScoredPair, y: ScoredPair): number {
  return y.score - x.score || y.matchWeight - x.matchWeight;
}

/**
 * Groups of records that are one person, from pairs at or above `threshold` (union-find).
 * Imports use it to collapse a file's duplicates before writing.
 */
export function clustersOf(pairs: readonly ScoredPair[], threshold: number): string[][] {
  const parent = new Map<string, string>();
  const root = (id: string): string => {
    let current = id;
    while (parent.get(current) !== undefined && parent.get(current) !== current) current = parent.get(current)!;
    parent.set(id, current);
    return current;
  };
  for (const pair of pairs) {
    if (pair.score < threshold) continue;
    for (const id of pair.ids) if (!parent.has(id)) parent.set(id, id);
    const [ra, rb] = [root(pair.ids[0]), root(pair.ids[1])];
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const groups = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const r = root(id);
    groups.set(r, [...(groups.get(r) ?? []), id]);
  }
  return [...groups.values()].map((g) => g.sort());
}
