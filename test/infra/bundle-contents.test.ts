import { relative } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLING, functionEntry, REPO_ROOT } from '../../infra/aws/functions.ts';
import { functions, type FunctionName } from '../../infra/topology.ts';

/**
 * Each function bundles only what it runs: its handler assembles the services its `create`
 * asks for, and nothing reaches the heavy modules it never calls. esbuild runs here with the
 * stack's own options (infra/aws/functions.ts BUNDLING) and reports which modules each bundle
 * holds; sizes and start-up times are measured by bench/bundles.ts, never asserted here.
 */
const MODULES = {
  /** zod's chaining API, the HTTP API's validation (the tree-shakable `zod/mini` is fine). */
  zodClassic: /node_modules\/zod\/v4\/classic\//,
  /** libphonenumber-js and its ~80 KB of metadata. */
  phoneMetadata: /node_modules\/libphonenumber-js\//,
  /** Every script's transliteration table (dedup uses a 3 KB one for Latin, Greek and Cyrillic). */
  anyAscii: /node_modules\/any-ascii\//,
  /** The OpenSearch client: only the functions that search or index carry it. */
  openSearchClient: /node_modules\/@opensearch-project\//,
  /** The embedded search index: the local runtime's, never a Lambda's. */
  embeddedIndex: /node_modules\/minisearch\/|shared\/search\/embedded\.ts/,
  searchAdapter: /shared\/search\//,
  dedupDomain: /shared\/domain\/dedup\//,
  /** The whole container: it reaches every service. */
  fullContainer: /shared\/app\/services\.ts/,
  webhookDelivery: /shared\/app\/webhook-dispatcher\.ts|shared\/events\/webhook-sender\.ts/,
  reminderSweep: /shared\/app\/reminders\.ts/,
  awsSdk: /node_modules\/@aws-sdk\//,
  /**
   * The S3 client: the workers read and write files. The HTTP API signs links, and carries the
   * client only behind a dynamic import an erasure takes (shared/blobs/lazy.ts).
   */
  s3Client: /node_modules\/@aws-sdk\/(client-s3|lib-storage|s3-request-presigner)\//,
} as const;
type Module = keyof typeof MODULES;

const EVERYWHERE: Module[] = ['anyAscii', 'embeddedIndex', 'fullContainer'];
/** Everything a consumer of table events leaves out. */
const CONSUMER: Module[] = [
  ...EVERYWHERE,
  'zodClassic',
  'phoneMetadata',
  'searchAdapter',
  'openSearchClient',
  'dedupDomain',
  's3Client',
];

const MUST_NOT_HOLD: Record<FunctionName, Module[]> = {
  authorizer: [...CONSUMER, 'webhookDelivery', 'reminderSweep'],
  'stream-publisher': [...CONSUMER, 'awsSdk'],
  history: [...CONSUMER, 'webhookDelivery', 'reminderSweep'],
  reminders: [...CONSUMER, 'webhookDelivery'],
  'timeline-recorder': [...CONSUMER, 'webhookDelivery', 'reminderSweep'],
  'webhook-dispatcher': [...CONSUMER, 'reminderSweep'],
  dedup: [...CONSUMER.filter((m) => m !== 'dedupDomain'), 'webhookDelivery', 'reminderSweep'],
  'search-indexer': [
    ...CONSUMER.filter((m) => m !== 'searchAdapter' && m !== 'openSearchClient' && m !== 'phoneMetadata'),
    'webhookDelivery',
  ],
  'job-sweeper': [...CONSUMER, 'webhookDelivery', 'reminderSweep'],
  'import-worker': [...EVERYWHERE, 'searchAdapter', 'openSearchClient', 'dedupDomain', 'webhookDelivery', 'reminderSweep'],
  'export-worker': [...EVERYWHERE, 'dedupDomain', 'webhookDelivery', 'reminderSweep'],
  'workflow-engine': [...EVERYWHERE, 'dedupDomain', 'reminderSweep', 's3Client'],
  'http-api': [...EVERYWHERE, 'webhookDelivery', 'reminderSweep'],
};

/** The modules esbuild puts in a function's bundle, as repository-relative paths. */
async function bundledModules(name: FunctionName): Promise<string[]> {
  const [alias, target] = String(BUNDLING.esbuildArgs?.['--alias']).split('=');
  const result = await build({
    entryPoints: [functionEntry(name)],
    bundle: true,
    write: false,
    metafile: true,
    outfile: 'index.mjs',
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    mainFields: BUNDLING.mainFields,
    minify: BUNDLING.minify,
    charset: BUNDLING.esbuildArgs?.['--charset'] === 'utf8' ? 'utf8' : 'ascii',
    alias: { [alias!]: target! },
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => relative(REPO_ROOT, path));
}

const bundles = new Map<FunctionName, string[]>();
beforeAll(async () => {
  const names = Object.keys(functions) as FunctionName[];
  const contents = await Promise.all(names.map(bundledModules));
  names.forEach((name, i) => bundles.set(name, contents[i]!));
}, 120_000);

describe('each function’s bundle', () => {
  it('is checked for every function of the topology', () => {
    expect(Object.keys(MUST_NOT_HOLD).sort()).toEqual(Object.keys(functions).sort());
  });

  for (const [name, excluded] of Object.entries(MUST_NOT_HOLD) as [FunctionName, Module[]][]) {
    it(`${name} leaves out ${excluded.join(', ')}`, () => {
      const modules = bundles.get(name)!;
      const found = Object.fromEntries(
        excluded.map((module) => [module, modules.filter((path) => MODULES[module].test(path)).slice(0, 3)]),
      );
      expect(found).toEqual(Object.fromEntries(excluded.map((module) => [module, []])));
    });
  }

  it('holds what its function runs (the check looks at real bundles)', () => {
    expect(bundles.get('dedup')!.some((path) => MODULES.dedupDomain.test(path))).toBe(true);
    expect(bundles.get('search-indexer')!.some((path) => MODULES.searchAdapter.test(path))).toBe(true);
    expect(bundles.get('http-api')!.some((path) => MODULES.zodClassic.test(path))).toBe(true);
    expect(bundles.get('http-api')!.some((path) => MODULES.phoneMetadata.test(path))).toBe(true);
    expect(bundles.get('webhook-dispatcher')!.some((path) => MODULES.webhookDelivery.test(path))).toBe(true);
  });
});
