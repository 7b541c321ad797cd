import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dynamoEndpoint } from '../helpers/store.ts';

const root = new URL('../..', import.meta.url).pathname;
/** After its report, the child has nothing left to do: a process still alive this long after is held by a leak. */
const EXIT_GRACE_MS = 10_000;

describe('the local runtime', () => {
  it('starts its pipeline, and stops leaving no timer, socket or unhandled rejection behind', async () => {
    const child = spawn(process.execPath, ['test/helpers/runtime-lifecycle.ts'], {
      cwd: root,
      env: { ...process.env, DYNAMODB_ENDPOINT: dynamoEndpoint(), POWERTOOLS_LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let reported: () => void = () => undefined;
    const report = new Promise<void>((resolve) => (reported = resolve));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('"entries"')) reported();
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    // The process must end by itself: anything the runtime leaves running would keep it alive.
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const held = report.then(() => new Promise<'held'>((resolve) => setTimeout(() => resolve('held'), EXIT_GRACE_MS).unref()));
    const outcome = await Promise.race([exited, held]);
    if (outcome === 'held') child.kill('SIGKILL');
    expect(outcome, `the process did not exit by itself:\n${output}`).toBe(0);
    const summary = JSON.parse(output.trim().split('\n').at(-1)!) as { entries: number; left: string[]; problems: string[] };
    expect(summary).toEqual({ entries: 2, left: [], problems: [] });
  }, 60_000);
});
