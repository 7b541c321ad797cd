import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateApiKeySecret } from '../../shared/domain/api-keys.ts';

const root = new URL('../..', import.meta.url).pathname;
const children: ChildProcess[] = [];
const homes: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** Starts `npm start` the way a user does (same entry point), and waits for its banner. */
async function startKith(args: string[] = [], env: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), 'kith-home-'));
  homes.push(home);
  const child = spawn(process.execPath, ['infra/local/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, PORT: '0', KITH_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Kith did not start:\n${output}`)), 90_000);
    const check = () => {
      if (output.includes('Stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`Kith exited with ${code}:\n${output}`)));
  });
  const url = /API\s+(http:\/\/\S+)\/v1/.exec(output)![1]!;
  const dynamoPort = /DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]!;
  const adminKey = /Admin key\s+(kith_\S+)/.exec(output)![1]!;
  return { child, url, dynamoPort, adminKey, home, output: () => output };
}

function javaListeningOn(port: string): boolean {
  const found = spawnSync('pgrep', ['-f', `DynamoDBLocal.jar -port ${port} `], { encoding: 'utf8' });
  return found.stdout.trim() !== '';
}

async function waitFor(condition: () => boolean, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

/** Polls an HTTP condition: `npm start` runs in another process, so there is no drain() to call. */
async function waitForAsync(condition: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe('npm start', { timeout: 240_000 }, () => {
  it('serves the API with the bootstrap key and stops Java on Ctrl-C', async () => {
    const key = generateApiKeySecret();
    const kith = await startKith(['--memory'], { KITH_BOOTSTRAP_KEY: key });
    expect(kith.adminKey).toBe(key);
    expect((await fetch(`${kith.url}/health`)).status).toBe(200);
    const me = await fetch(`${kith.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await me.json()) as { role: string }).role).toBe('admin');
    expect(javaListeningOn(kith.dynamoPort)).toBe(true);

    // The change-stream pipeline runs too: a new contact reaches its field history by itself.
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await fetch(`${kith.url}/v1/contacts`, { method: 'POST', headers, body: '{"firstName":"Ada"}' });
    const { id } = (await created.json()) as { id: string };
    const historyShows = async () => {
      const res = await fetch(`${kith.url}/v1/contacts/${id}/history`, { headers });
      return ((await res.json()) as { results: unknown[] }).results.length === 1;
    };
    expect(await waitForAsync(historyShows)).toBe(true);

    const exited = new Promise<number | null>((resolve) => kith.child.once('exit', resolve));
    kith.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await waitFor(() => !javaListeningOn(kith.dynamoPort))).toBe(true);
  });

  it('leaves no Java process behind when it is killed outright', async () => {
    const kith = await startKith(['--memory']);
    expect(javaListeningOn(kith.dynamoPort)).toBe(true);
    kith.child.kill('SIGKILL');
    expect(await waitFor(() => !javaListeningOn(kith.dynamoPort))).toBe(true);
  });

  // Two starts in a row: on a loaded 2-core machine each can take 15 s.
  it('keeps data and the admin key across restarts of the same home', { timeout: 90_000 }, async () => {
    const first = await startKith();
    const created = await fetch(`${first.url}/v1/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ firstName: 'Persistent' }),
    });
    const { id } = (await created.json()) as { id: string };
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGTERM');
    await exited;

    const home = first.home;
    homes.splice(homes.indexOf(home), 1);
    const second = await startKith([], { KITH_HOME: home });
    homes.push(home);
    expect(second.adminKey).toBe(first.adminKey);
    const read = await fetch(`${second.url}/v1/contacts/${id}`, { headers: { authorization: `Bearer ${second.adminKey}` } });
    expect(read.status).toBe(200);
  });
});
