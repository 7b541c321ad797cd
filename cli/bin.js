#!/usr/bin/env node
// The `kith` command: runs cli/main.ts on the project's Node 24 (TypeScript by type stripping),
// whatever Node the shell has, and passes its exit code on.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
let node = process.execPath;
if (major < 24) {
  try {
    node = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
  } catch {
    console.error('kith needs Node.js 24: run `npm install` in the Kith folder (it brings Node 24 along).');
    process.exit(3);
  }
}
const result = spawnSync(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
