import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dynamoEndpoint } from '../helpers/store.ts';

const root = new URL('../..', import.meta.url).pathname;

describe('the local runtime', () => {
  it('starts its pipeline, and stops leaving no timer, socket or unhandled rejection behind', async () => {
    const child = spawn(process.execPath, ['test/helpers/runtime-lifecycle.ts'], {
      cwd: root,
      env: { ...process.env, DYNAMODB_ENDPOINT: dynamoEndpoint(), POWERTOOLS_LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // The process must end by itself: anything the runtime leaves running would keep it alive.
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    const report = JSON.parse(output.trim().split('\n').at(-1)!) as { entries: number; left: string[]; problems: string[] };
    expect(report).toEqual({ entries: 2, left: [], problems: [] });
  }, 60_000);
});
