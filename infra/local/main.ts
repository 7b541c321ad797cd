/**
 * `npm start`: Kith on this machine. DynamoDB Local (data in .kith/, or in memory with
 * --memory), the table, every function of the topology and the HTTP gateway, until Ctrl-C.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateApiKeySecret, isApiKeySecret } from '../../shared/domain/api-keys.ts';
import { JavaMissingError, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { subscriptions } from '../topology.ts';

const HELP = `Usage: npm start [-- --memory]

Runs Kith locally: the HTTP API, backed by DynamoDB Local.

Options:
  --memory     keep data in memory only (nothing written to .kith/)
  --help       show this text

Environment:
  PORT                       port of the HTTP API (default 3000)
  KITH_BOOTSTRAP_KEY         register this exact key (kith_…) as an admin key
  KITH_DEFAULT_PHONE_REGION  region for phone numbers without a country code (default US)
  KITH_HOME                  where local data lives (default .kith)
  KITH_LOG_LEVEL             level of the functions' JSON logs (default WARN)
  DYNAMODB_PORT              port of DynamoDB Local (default: a free one)
  OPENSEARCH_URL             search with this OpenSearch node (default: the embedded index)`;

// The functions' structured logs are for CloudWatch; locally, warnings and errors are enough
// (set KITH_LOG_LEVEL=INFO or DEBUG to see them all). Set before any function is created.
process.env.POWERTOOLS_LOG_LEVEL = process.env.KITH_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { memory: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: false });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const home = process.env.KITH_HOME ?? '.kith';
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not ${process.env.PORT}.`);
  const bootstrap = process.env.KITH_BOOTSTRAP_KEY;
  if (bootstrap !== undefined && !isApiKeySecret(bootstrap)) {
    throw new Error('KITH_BOOTSTRAP_KEY must look like kith_ followed by at least 20 letters, digits, - or _.');
  }
  // Local receivers live on localhost; in AWS webhooks may only reach public addresses.
  process.env.KITH_WEBHOOKS_ALLOW_PRIVATE_NETWORKS ??= 'true';
  mkdirSync(home, { recursive: true });

  let dynamo: DynamoDbLocal | undefined;
  let runtime: Runtime | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await runtime?.stop().catch(() => undefined);
    await dynamo?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));

  dynamo = await startDynamoDbLocal({
    dataDir: values.memory ? undefined : join(home, 'dynamodb'),
    port: process.env.DYNAMODB_PORT ? Number(process.env.DYNAMODB_PORT) : undefined,
    logFile: join(home, 'dynamodb.log'),
  });
  runtime = await startRuntime({
    dynamoEndpoint: dynamo.endpoint,
    port,
    home: values.memory ? undefined : home,
    onRequest: (line) => console.log(`  ${line}`),
  });

  const adminKey = bootstrap ?? (values.memory ? generateApiKeySecret() : persistentAdminKey(home));
  await runtime.services.apiKeys.register(adminKey, { name: 'local admin', role: 'admin' }, 'system:local');

  console.log(`
  Kith is running.

  API        ${runtime.url}/v1
  Docs       ${runtime.url}/docs
  Admin key  ${adminKey}
  Data       ${values.memory ? 'in memory (gone when you stop)' : `${join(home, 'dynamodb')}`}
  Events     change stream → ${subscriptions.length} subscription(s); failed deliveries: GET /v1/admin/dead-letters
  DynamoDB   ${dynamo.endpoint}
  Search     ${
    runtime.search.engine === 'opensearch'
      ? `OpenSearch at ${process.env.OPENSEARCH_URL}`
      : `embedded (in memory, rebuilt from the table at start: ${runtime.search.rebuilt ?? 0} contacts)`
  }

  Try:  curl -H "Authorization: Bearer ${adminKey}" ${runtime.url}/v1/contacts
  Stop with Ctrl-C.
`);
}

/** One admin key per data directory, kept beside the data (mode 600) so it survives restarts. */
function persistentAdminKey(home: string): string {
  const file = join(home, 'admin-key');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (isApiKeySecret(saved)) return saved;
  }
  const key = generateApiKeySecret();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

main().catch((error: unknown) => {
  console.error(error instanceof JavaMissingError ? error.message : `Kith could not start: ${(error as Error).message}`);
  process.exit(1);
});
