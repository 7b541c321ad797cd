/**
 * Quality of the dedup engine on labelled records: pairwise precision, recall and F1 at a
 * threshold, counting every true pair blocking never proposed as a miss.
 */
import { DuplicateFinder, type ScoredPair } from '../../shared/domain/dedup/engine.ts';
import { matchProfile, type IdentityRecord } from '../../shared/domain/dedup/profile.ts';

export interface Labelled {
  record: IdentityRecord;
  entity: number | string;
}

export interface Quality {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  truePairs: number;
  predicted: number;
  truePositives: number;
}

export interface Evaluation {
  /** Scored candidate pairs (every pair blocking let through, any score). */
  pairs: ScoredPair[];
  truePairs: number;
  entityOf: Map<string, number | string>;
  at(threshold: number): Quality;
}

export function evaluate(records: readonly Labelled[], options: { defaultRegion?: 'US' | 'GB' } = {}): Evaluation {
  const finder = new DuplicateFinder({ threshold: 0 });
  const entityOf = new Map<string, number | string>();
  const sizes = new Map<number | string, number>();
  for (const { record, entity } of records) {
    entityOf.set(record.id, entity);
    sizes.set(entity, (sizes.get(entity) ?? 0) + 1);
    finder.add(matchProfile(record, { defaultRegion: options.defaultRegion ?? 'US' }));
  }
  let truePairs = 0;
  for (const n of sizes.values()) truePairs += (n * (n - 1)) / 2;
  const pairs = finder.allPairs();
  return {
    pairs,
    truePairs,
    entityOf,
    at(threshold) {
      let predicted = 0;
      let truePositives = 0;
      for (const pair of pairs) {
        if (pair.score < threshold) continue;
        predicted++;
        if (entityOf.get(pair.ids[0]) === entityOf.get(pair.ids[1])) truePositives++;
      }
      const precision = predicted === 0 ? 1 : truePositives / predicted;
      const recall = truePairs === 0 ? 1 : truePositives / truePairs;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return { threshold, precision, recall, f1, truePairs, predicted, truePositives };
    },
  };
}
