/** One measured number, beside the physical floor measured in the same run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the raw engine needs for the same work, measured in the same run (null: no floor). */
  floor: number | null;
  /** value / floor. */
  ratio: number | null;
  /** Optional one-line note (budget, assumption). */
  note?: string;
}

/** A benchmark module: bench/<topic>.ts exports `run`. */
export type BenchModule = { run(options: { full: boolean }): Promise<Figure[]> };

export function figure(name: string, value: number, unit: string, floor: number | null = null, note?: string): Figure {
  const rounded = (n: number) => (Math.abs(n) >= 100 ? Math.round(n * 10) / 10 : Math.round(n * 1000) / 1000);
  return {
    name,
    value: rounded(value),
    unit,
    floor: floor === null ? null : rounded(floor),
    ratio: floor === null || floor === 0 ? null : Math.round((value / floor) * 100) / 100,
    ...(note ? { note } : {}),
  };
}

export function printFigures(figures: Figure[]): void {
  for (const f of figures) {
    const floor = f.floor === null ? '' : `  floor ${f.floor} ${f.unit}  ratio ${f.ratio}`;
    console.log(`${f.name.padEnd(52)} ${String(f.value).padStart(10)} ${f.unit}${floor}${f.note ? `  (${f.note})` : ''}`);
  }
}

/** Marks the machine-readable line a module prints for bench/run.ts. */
export const FIGURES_MARKER = '@@kith-figures ';

/**
 * Lets `node bench/<topic>.ts [--full] [--json]` run one module on its own; bench/run.ts runs
 * each module this way, in a fresh process, and reads the `--json` line.
 */
export async function runStandalone(module: BenchModule, url: string): Promise<void> {
  if (!process.argv[1] || new URL(url).pathname !== process.argv[1]) return;
  const figures = await module.run({ full: process.argv.includes('--full') });
  if (process.argv.includes('--json')) console.log(`${FIGURES_MARKER}${JSON.stringify(figures)}`);
  else printFigures(figures);
  // Modules leave no servers behind, but a stray keep-alive socket must not hold the process.
  process.exit(0);
}
