/**
 * Bundle size and cold module initialization of every function, against an empty handler
 * bundled the same way (the floor). The bundles are the ones `cdk synth` deploys: the real
 * stack is synthesized with esbuild, then each index.mjs is imported by fresh Node processes
 * with the environment Lambda would give it.
 *
 *   node_modules/.bin/node bench/bundles.ts [--full]   (or: npm run bench -- --only bundles)
 *
 * Budget: every bundle ≤ 300 KB minified, init ≤ 2 × the empty handler's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { KithFunction } from '../infra/aws/functions.ts';
import { cdkJsonContext } from '../infra/aws/cdk-context.ts';
import { KithStack } from '../infra/aws/kith-stack.ts';
import { STAGE_SETTINGS } from '../infra/aws/stage.ts';
import { figure, runStandalone, type Figure } from './lib/figures.ts';

export const BUDGET = { maxBundleKb: 300, maxInitRatio: 2 } as const;
const EMPTY = 'empty-handler';

/**
 * What a fresh process prints: the wall time to import the bundle, the wall time from process
 * start to handler ready, and the CPU the process spent by then. CPU time is the steadier
 * figure on a shared machine (another process's load lengthens wall time, not our CPU time).
 */
const PROBE = `
const started = performance.now();
const module = await import(process.argv[1]);
if (typeof module.handler !== 'function') throw new Error('no handler');
const ready = performance.now();
const cpu = process.cpuUsage();
console.log(JSON.stringify({ importMs: ready - started, readyMs: ready, cpuMs: (cpu.user + cpu.system) / 1000 }));`;

interface InitSample {
  importMs: number;
  readyMs: number;
  cpuMs: number;
}

/** Values a deployed function finds in its environment; none is contacted during initialization. */
const LAMBDA_ENVIRONMENT = {
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  TABLE_NAME: 'kith-bench',
  EVENT_BUS_NAME: 'kith-bench',
  OPENSEARCH_URL: 'https://search.invalid',
  BUCKET_NAME: 'kith-bench',
  COGNITO_USER_POOL_ID: 'eu-west-1_bench',
  COGNITO_CLIENT_ID: 'bench',
  POWERTOOLS_SERVICE_NAME: 'kith',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

/** Synthesizes the stack with real bundling; returns each function's bundle file. */
function buildBundles(outdir: string): Map<string, string> {
  const app = new App({ outdir, context: { ...cdkJsonContext(), '@aws-cdk/core:target-partitions': ['aws'] } });
  const kith = new KithStack(app, 'Kith-bench', { stage: STAGE_SETTINGS.prod });
  const floor = new Stack(app, 'Floor');
  new KithFunction(floor, 'Empty', {
    name: EMPTY,
    spec: { description: 'floor', memoryMb: 128, timeoutSeconds: 3, access: {} },
    stage: STAGE_SETTINGS.prod,
    entry: fileURLToPath(new URL('./fixtures/empty-handler.ts', import.meta.url)),
  });
  const bundles = new Map<string, string>();
  for (const stack of [kith, floor]) {
    for (const fn of Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))) {
      const name = (fn.Properties.Tags as { Key: string; Value: string }[]).find((t) => t.Key === 'kith:function')!.Value;
      const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      bundles.set(name, join(outdir, `asset.${hash}`, 'index.mjs'));
    }
  }
  return bundles;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How the functions start: as prod runs them, and as dev does (stack traces mapped to sources). */
const VARIANTS = {
  prod: {},
  'source-maps': { NODE_OPTIONS: '--enable-source-maps' },
} as const;
type Variant = keyof typeof VARIANTS;

/**
 * Median over `runs` fresh processes per bundle and variant, interleaved (run by run, bundle by
 * bundle, variant by variant) so that a change of load on the machine hits every figure alike.
 */
function measureInit(bundles: Map<string, string>, runs: number): Map<string, Record<Variant, InitSample>> {
  const samples = new Map<string, Record<Variant, InitSample[]>>();
  for (let run = 0; run < runs; run += 1) {
    for (const [name, file] of bundles) {
      for (const [variant, environment] of Object.entries(VARIANTS) as [Variant, Record<string, string>][]) {
        const output = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, file], {
          env: { PATH: process.env.PATH, ...LAMBDA_ENVIRONMENT, ...environment },
          encoding: 'utf8',
        });
        const sample = JSON.parse(output.trim().split('\n').pop()!) as InitSample;
        if (!samples.has(name)) samples.set(name, { prod: [], 'source-maps': [] });
        samples.get(name)![variant].push(sample);
      }
    }
  }
  const medianOf = (list: InitSample[]): InitSample => ({
    importMs: median(list.map((s) => s.importMs)),
    readyMs: median(list.map((s) => s.readyMs)),
    cpuMs: median(list.map((s) => s.cpuMs)),
  });
  return new Map(
    [...samples].map(([name, byVariant]) => [
      name,
      { prod: medianOf(byVariant.prod), 'source-maps': medianOf(byVariant['source-maps']) },
    ]),
  );
}

export async function run(options: { full: boolean }): Promise<Figure[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'kith-bundles-'));
  try {
    const bundles = buildBundles(outdir);
    const init = measureInit(bundles, options.full ? 21 : 7);
    const floorKb = statSync(bundles.get(EMPTY)!).size / 1024;
    const floor = init.get(EMPTY)!;
    const figures: Figure[] = [];
    for (const [name, file] of bundles) {
      if (name === EMPTY) continue;
      const own = init.get(name)!;
      figures.push(
        figure(`${name} bundle`, statSync(file).size / 1024, 'KB', floorKb, `budget ≤ ${BUDGET.maxBundleKb} KB`),
        figure(`${name} init CPU`, own.prod.cpuMs, 'ms', floor.prod.cpuMs, `budget ≤ ${BUDGET.maxInitRatio}× the empty handler`),
        figure(`${name} init wall, process start to handler`, own.prod.readyMs, 'ms', floor.prod.readyMs),
        figure(`${name} init wall, import alone`, own.prod.importMs, 'ms', floor.prod.importMs),
        figure(`${name} init CPU with --enable-source-maps (dev)`, own['source-maps'].cpuMs, 'ms', floor['source-maps'].cpuMs),
      );
    }
    return figures;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

await runStandalone({ run }, import.meta.url);
