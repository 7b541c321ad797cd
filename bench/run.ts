/**
 * `npm run bench [-- --full] [-- --only api,search]`: runs every bench/<topic>.ts module, each in
 * a fresh Node process, and writes bench/results/latest.json and latest.md. Quick mode stays
 * under three minutes on a 2-core machine; --full runs the 100,000-record measurements.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FIGURES_MARKER, printFigures, type Figure } from './lib/figures.ts';

const { values } = parseArgs({ options: { full: { type: 'boolean' }, only: { type: 'string' } } });
const benchDir = new URL('.', import.meta.url).pathname;
const only = values.only?.split(',').map((s) => s.trim());
const modules = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  // A module is a file that exports `run`; helpers such as data generators sit beside them.
  .filter((file) => /export async function run\(/.test(readFileSync(join(benchDir, file), 'utf8')))
  .map((file) => file.replace(/\.ts$/, ''))
  .filter((name) => !only || only.includes(name))
  .sort();

function runModule(name: string): Promise<{ figures: Figure[]; seconds: number; error?: string }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const args = [join(benchDir, `${name}.ts`), '--json', ...(values.full ? ['--full'] : [])];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(FIGURES_MARKER));
      const seconds = (Date.now() - started) / 1000;
      if (code !== 0 || !line) resolve({ figures: [], seconds, error: `exited with ${code}` });
      else resolve({ figures: JSON.parse(line.slice(FIGURES_MARKER.length)) as Figure[], seconds });
    });
  });
}

const results: { module: string; seconds: number; error?: string; figures: Figure[] }[] = [];
for (const name of modules) {
  console.log(`\n== ${name}`);
  const result = await runModule(name);
  printFigures(result.figures);
  if (result.error) console.log(`  ${name} failed: ${result.error}`);
  results.push({ module: name, ...result });
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  platform: `${platform()} ${release()}`,
  node: process.version,
  mode: values.full ? 'full' : 'quick',
};
const figures = results.flatMap((r) => r.figures.map((f) => ({ ...f, name: `${r.module}: ${f.name}` })));
const at = new Date().toISOString();
const resultsDir = join(benchDir, 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, 'latest.json'),
  `${JSON.stringify({ figures, machine, at, modules: results.map(({ figures: _f, ...r }) => r) }, null, 2)}\n`,
);

const cell = (v: number | null) => (v === null ? '' : String(v));
const md = [
  `# Kith benchmarks (${machine.mode})`,
  '',
  `${at} · ${machine.cpu} × ${machine.cores} · ${machine.memoryGiB} GiB · ${machine.platform} · Node ${machine.node}`,
  '',
  'Each figure beside its floor (the raw engine doing the same work, measured in the same run) and the ratio.',
  '',
  '| figure | value | unit | floor | ratio | note |',
  '|---|---:|---|---:|---:|---|',
  ...figures.map((f) => `| ${f.name} | ${f.value} | ${f.unit} | ${cell(f.floor)} | ${cell(f.ratio)} | ${f.note ?? ''} |`),
  '',
  ...results.filter((r) => r.error).map((r) => `- ${r.module} failed: ${r.error}`),
];
writeFileSync(join(resultsDir, 'latest.md'), `${md.join('\n')}\n`);
console.log(`\nWrote bench/results/latest.json and latest.md (${figures.length} figures).`);
if (results.some((r) => r.error)) process.exitCode = 1;
