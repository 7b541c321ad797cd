/**
 * The import worker in a process of its own, so a test can kill it with SIGKILL mid-import:
 * builds its services from the environment, as the Lambda handler does, and runs one invocation.
 */
import { servicesFromEnv } from '../../shared/app/services.ts';
import { create } from '../../functions/import-worker/app.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';
import type { KithEvent } from '../../shared/events/types.ts';

const jobId = process.env.JOB_ID!;
const handler = create(servicesFromEnv());
const event = {
  version: '0',
  id: 'test',
  'detail-type': 'import_job.updated',
  source: 'kith',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'local',
  resources: [],
  detail: {
    eventId: 'test',
    entity: 'import_job',
    id: jobId,
    version: 0,
    changedFields: ['dispatch'],
    actor: 'system',
    occurredAt: new Date().toISOString(),
  },
} satisfies KithEvent;
const result = await handler(event, lambdaContext('import-worker'));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
