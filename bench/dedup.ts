/**
 * Dedup quality and audit speed.
 *
 * Quality: pairwise precision, recall and F1 at the suggest and auto-merge thresholds, on
 * labelled synthetic contacts (bench/lib/dedup-synthetic.ts) and on the reference data sets
 * beside the repository when present (read at bench time, never copied into the repo).
 * Speed: the audit's in-memory pass (normalize, block, score) over 100,000 synthetic contacts,
 * against a floor measured in the same run: one pass that only normalizes each contact.
 *
 *   node_modules/.bin/node bench/dedup.ts --full   (100k audit, 20k-person quality set)
 *   node_modules/.bin/node bench/dedup.ts          (20k audit, 5k-person quality set)
 */
import { DuplicateFinder } from '../shared/domain/dedup/engine.ts';
import { matchProfile } from '../shared/domain/dedup/profile.ts';
import { AUTO_MERGE_THRESHOLD, SUGGEST_THRESHOLD } from '../shared/domain/dedup/scoring.ts';
import { evaluate, type Labelled } from './lib/dedup-quality.ts';
import { syntheticContacts } from './lib/dedup-synthetic.ts';
import { earlyChildhoodSites, REFERENCE_DIR, restaurants, splinkFake1000 } from './lib/dedup-reference.ts';
import { runStandalone, type Figure } from './lib/figures.ts';

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

function qualityFigures(set: string, records: readonly Labelled[]): Figure[] {
  const evaluation = evaluate(records);
  const figures: Figure[] = [];
  for (const [label, threshold] of [
    ['suggest', SUGGEST_THRESHOLD],
    ['auto-merge', AUTO_MERGE_THRESHOLD],
  ] as const) {
    const q = evaluation.at(threshold);
    for (const [metric, value] of [
      ['precision', q.precision],
      ['recall', q.recall],
      ['F1', q.f1],
    ] as const) {
      figures.push({
        name: `dedup ${set} ${metric} at ${label} (${threshold})`,
        value: round(value),
        unit: 'ratio',
        floor: null,
        ratio: null,
      });
    }
  }
  return figures;
}

function auditFigures(contacts: number): Figure[] {
  const records = syntheticContacts({ people: contacts, seed: 2024 })
    .slice(0, contacts)
    .map((l) => l.record);
  // Floor: what any audit must do at least, normalize every contact once.
  const floorStart = process.cpuUsage();
  for (const record of records) matchProfile(record, { defaultRegion: 'US' });
  const floorMs = cpuMs(floorStart);

  const start = process.cpuUsage();
  const finder = new DuplicateFinder();
  for (const record of records) finder.add(matchProfile(record, { defaultRegion: 'US' }));
  const pairs = finder.allPairs();
  const auditMs = cpuMs(start);
  return [
    {
      name: `dedup audit CPU at ${records.length} contacts (normalize, block, score)`,
      value: Math.round(auditMs),
      unit: 'ms',
      floor: Math.round(floorMs),
      ratio: round(auditMs / floorMs, 2),
    },
    {
      name: `dedup audit candidate pairs at ${records.length} contacts`,
      value: finder.candidatePairCount(),
      unit: 'pairs',
      floor: null,
      ratio: null,
    },
    {
      name: `dedup audit pairs suggested at ${records.length} contacts`,
      value: pairs.length,
      unit: 'pairs',
      floor: null,
      ratio: null,
    },
  ];
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

export async function run(options: { full: boolean }): Promise<Figure[]> {
  const figures: Figure[] = [];
  figures.push(...qualityFigures('synthetic', syntheticContacts({ people: options.full ? 20_000 : 5_000, seed: 7 })));
  const references = [splinkFake1000(), restaurants(), earlyChildhoodSites()];
  if (references.every((r) => r === undefined)) console.warn(`dedup bench: no reference data at ${REFERENCE_DIR}, skipping it`);
  for (const reference of references)
    if (reference) figures.push(...qualityFigures(`${reference.name} (${reference.kind})`, reference.records));
  figures.push(...auditFigures(options.full ? 100_000 : 20_000));
  return figures;
}

await runStandalone({ run }, import.meta.url);
