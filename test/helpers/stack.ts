import { App, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cdkJsonContext } from '../../infra/aws/cdk-context.ts';
import { KithStack } from '../../infra/aws/kith-stack.ts';
import { KITH_TOPOLOGY, type StackTopology } from '../../infra/aws/stack-topology.ts';
import { stageSettings, type StageName } from '../../infra/aws/stage.ts';

/** The context `cdk synth` runs with (feature flags), so tests synthesize what users deploy. */
const CDK_CONTEXT = cdkJsonContext();

export interface SynthOptions {
  stage?: StageName;
  /** CDK's own CloudFormation schema validation, as `cdk synth` runs it (slow: off unless asked). */
  validateTemplates?: boolean;
  outdir?: string;
  topology?: StackTopology;
  entryOf?: (name: string) => string | undefined;
  alarmEmail?: string;
}

export interface Synthesized {
  stack: KithStack;
  template: Template;
  /** cdk-nag AwsSolutions, with the acknowledgements made in code already applied. */
  nag: PolicyValidationPluginReport;
}

/**
 * Synthesizes the Kith stack without bundling (CDK's own `aws:cdk:bundling-stacks` switch: the
 * functions are the real NodejsFunction constructs, only esbuild does not run). Synthesize once
 * per file and share the template; test/infra/bundling.test.ts bundles for real.
 */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = options.validateTemplates ? 'true' : 'false';
  try {
    return synthesizeStack(options);
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

function synthesizeStack(options: SynthOptions): Synthesized {
  const app = new App({ outdir: options.outdir, context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new KithStack(app, 'Kith-test', {
    stage: stageSettings(options.stage ?? 'dev'),
    topology: options.topology ?? KITH_TOPOLOGY,
    entryOf: options.entryOf,
    alarmEmail: options.alarmEmail,
  });
  const template = Template.fromStack(stack);
  const nag = new AwsSolutionsChecks(app).validateScope(app);
  return { stack, template, nag };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string[] }>;

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The logical id of a topology function's Lambda (tagged `kith:function`). */
export function functionLogicalIds(template: Template): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [id, resource] of Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))) {
    const tag = (resource.Properties?.Tags as { Key: string; Value: string }[] | undefined)?.find(
      (t) => t.Key === 'kith:function',
    );
    if (tag) ids.set(tag.Value, id);
  }
  return ids;
}

/** Every logical id a piece of template JSON refers to (Ref and Fn::GetAtt). */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'Ref' && typeof child === 'string' && !child.startsWith('AWS::')) ids.add(child);
        else if (key === 'Fn::GetAtt' && Array.isArray(child)) ids.add(String(child[0]));
        else visit(child);
      }
    }
  };
  visit(value);
  return ids;
}

/** The role logical id of a Lambda, and every statement of the policies attached to it. */
export function statementsOfFunction(template: Template, functionId: string): { roleId: string; statements: any[] } {
  const fn = resourcesOf(template, 'AWS::Lambda::Function')[functionId]!;
  const roleId = [...referencedIds(fn.Properties!.Role)][0]!;
  const role = resourcesOf(template, 'AWS::IAM::Role')[roleId]!;
  const statements: any[] = [];
  for (const policy of (role.Properties?.Policies as { PolicyDocument: { Statement: any[] } }[] | undefined) ?? []) {
    statements.push(...policy.PolicyDocument.Statement);
  }
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    if (referencedIds(policy.Properties!.Roles).has(roleId)) statements.push(...policy.Properties!.PolicyDocument.Statement);
  }
  return { roleId, statements };
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
