import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Tags, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../topology.ts';
import type { StageSettings } from './stage.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Lambda entry of a topology function, by convention. */
export function functionEntry(name: string): string {
  return join(REPO_ROOT, 'functions', name, 'handler.ts');
}

/** Lambda's Node 24 runtime; arm64 zips start faster and cost 20 % less than x86_64. */
export const RUNTIME = Runtime.NODEJS_24_X;
export const ARCHITECTURE = Architecture.ARM_64;

/**
 * How every function is bundled, with the esbuild in node_modules (never Docker): one minified
 * ESM file with its source map, the AWS SDK inside so its version is the one we tested, its
 * credential chain cut down to what Lambda uses (see bundling/lambda-credentials.ts).
 * The banner gives CommonJS dependencies bundled into ESM the `require` they call Node builtins
 * with; esbuild's shim would throw "Dynamic require".
 *
 * Budget (bench/bundles.ts): ≤ 300 KB, cold init ≤ 2× an empty handler. The SDK stays inside
 * although its DynamoDB client alone (~200 KB) starts at ~2.6× the empty handler: loaded from
 * node_modules instead it measured ~4.3×, and the runtime's copy is a version nobody tested.
 * http-api (~690 KB: SDK, zod, phone metadata), the import and export workers (~720 KB: the S3
 * client besides) and search-indexer (~400 KB: phone metadata) are over the size budget; README
 * "Bundles and cold starts" has the figures.
 */
export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  bundleAwsSDK: true,
  externalModules: [],
  banner:
    "import { createRequire as __kithCreateRequire } from 'node:module'; const require = __kithCreateRequire(import.meta.url);",
  esbuildArgs: {
    '--alias': `@aws-sdk/credential-provider-node=${join(REPO_ROOT, 'infra', 'aws', 'bundling', 'lambda-credentials.ts')}`,
    // Names in other scripts (dedup's transliteration table) stay UTF-8: \uXXXX escapes triple them.
    // (This CDK version does not pass its own `charset` option on to esbuild.)
    '--charset': 'utf8',
  },
};

/** The Lambda of a topology function, or a clear error when the topology names one the stack lacks. */
export function lambdaOf(functions: ReadonlyMap<string, KithFunction>, name: string): NodejsFunction {
  const fn = functions.get(name);
  if (!fn) throw new Error(`The topology names the function "${name}", which the stack did not create.`);
  return fn.function;
}

export interface KithFunctionProps {
  name: string;
  spec: FunctionSpec;
  stage: StageSettings;
  /** Defaults to functions/<name>/handler.ts. */
  entry?: string;
}

/**
 * One topology function as a Lambda: its own role (no managed policies: it may write its own
 * log group and nothing else until `grantAccess` adds what its entry declares), its own log
 * group with the stage's retention, X-Ray tracing, Powertools settings.
 */
export class KithFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: KithFunctionProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Kith ${props.name}: exactly what its topology entry declares`,
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry ?? functionEntry(props.name),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.spec.description,
      runtime: RUNTIME,
      architecture: ARCHITECTURE,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      bundling: BUNDLING,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'kith',
        POWERTOOLS_LOG_LEVEL: props.stage.logLevel,
        ...(props.stage.sourceMappedStackTraces ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
    });
    Tags.of(this.function).add('kith:function', props.name);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level permissions; test/infra/least-privilege proves they are the only statement on "*".',
    });
  }

  setEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
