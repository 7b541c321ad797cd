/**
 * `npm run aws:admin-key -- --stage prod [--region eu-west-1] [--name "Ada's admin key"]`
 *
 * Creates the first admin API key of a deployed Kith, with the operator's own AWS credentials
 * (the ones that deployed it): the secret is generated on this machine, printed once, and only
 * its SHA-256 hash is written to the table. It never passes through CloudFormation, a Lambda
 * or a log. Refused once an active admin key exists; later keys are made with POST /v1/api-keys.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { createFirstAdminKey } from '../../shared/app/admin-key.ts';
import { systemClock } from '../../shared/domain/clock.ts';
import { ApiKeyRepository } from '../../shared/store/api-keys.ts';
import { createStore } from '../../shared/store/client.ts';
import { OUTPUTS } from './kith-stack.ts';
import { stageSettings } from './stage.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'dev' },
      stack: { type: 'string' },
      region: { type: 'string' },
      name: { type: 'string', default: 'first admin' },
    },
  });
  const stage = stageSettings(values.stage);
  const stackName = values.stack ?? `Kith-${stage.name}`;
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;

  const cloudFormation = new CloudFormationClient({ region });
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Stacks?.[0]?.Outputs ?? [];
  const output = (name: string) => outputs.find((o) => o.OutputKey === name)?.OutputValue;
  const tableName = output(OUTPUTS.tableName);
  if (!tableName) throw new Error(`The stack ${stackName} has no ${OUTPUTS.tableName} output: is it deployed?`);

  const store = createStore({ tableName, region });
  const { secret, key } = await createFirstAdminKey(new ApiKeyRepository(store, systemClock), values.name);
  console.log(`
  Admin key for ${stackName} (shown once, store it in your password manager):

    ${secret}

  id ${key.id}, role ${key.role}
  Try: curl -H "Authorization: Bearer ${secret}" ${output(OUTPUTS.apiUrl) ?? '<ApiUrl>'}v1/me
`);
}

main().catch((error: unknown) => {
  console.error(`No admin key was created: ${(error as Error).message}`);
  process.exit(1);
});
