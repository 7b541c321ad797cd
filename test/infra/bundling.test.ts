import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { functions as topologyFunctions } from '../../infra/topology.ts';
import { KithFunction, REPO_ROOT } from '../../infra/aws/functions.ts';
import { STAGE_SETTINGS } from '../../infra/aws/stage.ts';

/**
 * The one place tests let esbuild run: the authorizer bundled exactly as `cdk synth` bundles
 * every function, then loaded the way Lambda loads it, in a fresh Node process.
 */
let outdir: string;
let bundleDir: string;
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'kith-bundle-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bundle');
  new KithFunction(stack, 'Authorizer', { name: 'authorizer', spec: topologyFunctions.authorizer, stage: STAGE_SETTINGS.dev });
  const template = Template.fromStack(stack);
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  const assetHash = String(fn!.Properties.Code.S3Key).replace(/\.zip$/, '');
  bundleDir = join(outdir, `asset.${assetHash}`);
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('a function bundle', () => {
  it('is one minified ESM file with its source map, without the sources inside', () => {
    expect(readdirSync(bundleDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(join(bundleDir, 'index.mjs'), 'utf8');
    // Minified: lines are whole modules long (template literals keep the few newlines there are).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    expect(code).toMatch(/sourceMappingURL=index\.mjs\.map/);
    const map = JSON.parse(readFileSync(join(bundleDir, 'index.mjs.map'), 'utf8')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
  });

  it('carries its own AWS SDK instead of the runtime one', () => {
    const map = JSON.parse(readFileSync(join(bundleDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
  });

  it('reads credentials from the Lambda environment only: no SSO, profiles, IMDS, nor its node:http import', () => {
    const map = JSON.parse(readFileSync(join(bundleDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    const chain = map.sources.filter((source) =>
      /@aws-sdk\/credential-provider-(node|sso|ini|process|web-identity|login)\/|@smithy\/credential-provider-imds\//.test(
        source,
      ),
    );
    expect(chain).toEqual([]);
    expect(map.sources.some((source) => source.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
    expect(readFileSync(join(bundleDir, 'index.mjs'), 'utf8')).not.toMatch(/from\s*"(node:)?http"/);
  });

  it('resolves the credentials Lambda puts in the environment', async () => {
    const { defaultProvider } = await import('../../infra/aws/bundling/lambda-credentials.ts');
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    try {
      await expect(defaultProvider()()).resolves.toMatchObject({
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'secret',
        sessionToken: 'token',
      });
    } finally {
      process.env = saved;
    }
  });

  it('leaves out what the authorizer never runs: the CRM domain, zod and phone metadata', () => {
    const map = JSON.parse(readFileSync(join(bundleDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    const unexpected = map.sources.filter((source) =>
      /node_modules\/(zod|libphonenumber-js)\/|shared\/domain\/(contact|company)\.ts|shared\/app\/services\.ts/.test(source),
    );
    expect(unexpected).toEqual([]);
  });

  it('loads in a fresh Node process and exports the handler Lambda calls', () => {
    const probe = `const m = await import(${JSON.stringify(join(bundleDir, 'index.mjs'))}); console.log(typeof m.handler);`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: 'kith',
        AWS_REGION: 'eu-west-1',
        COGNITO_USER_POOL_ID: 'eu-west-1_example',
        COGNITO_CLIENT_ID: 'example',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('function');
  });
});

describe('sources', () => {
  it('import zod as a namespace, which lets esbuild leave its 265 KB of locales out of every bundle', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && /import\s+(type\s+)?\{\s*z\s*\}\s+from\s+'zod'/.test(readFileSync(path, 'utf8'))) {
          offenders.push(relative(REPO_ROOT, path));
        }
      }
    };
    for (const dir of ['shared', 'functions']) if (existsSync(join(REPO_ROOT, dir))) walk(join(REPO_ROOT, dir));
    expect(offenders, "use `import * as z from 'zod'`").toEqual([]);
  });
});
