/**
 * The CDK app: `npx cdk synth|deploy|destroy [-c stage=dev|prod] [-c alarmEmail=ops@example.com]`.
 * Run by Node 24 directly (type stripping, no build step); cdk-nag's AwsSolutions pack checks
 * the synthesized stack and synthesis stops on any finding nobody acknowledged in code.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KithStack } from './kith-stack.ts';
import { stageSettings } from './stage.ts';

const app = new App();
const stage = stageSettings(app.node.tryGetContext('stage'));
new KithStack(app, `Kith-${stage.name}`, {
  stage,
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  // Account and region come from the CLI's profile when there is one; without credentials the
  // stack is environment-agnostic, so `cdk synth` works on a fresh clone.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
