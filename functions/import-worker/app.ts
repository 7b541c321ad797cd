import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { KithEvent } from '../../shared/events/types.ts';
import type { Services } from '../../shared/app/services.ts';
import { ImportRunner } from '../../shared/app/import-runner.ts';

/**
 * Runs an import job when its item's `dispatch` changes (start, self re-trigger, sweeper). Each
 * invocation owns the job through a lease named after its request id and works until about a
 * minute before its timeout, then hands over to the next invocation.
 */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'import-worker' } });
  return middy<KithEvent, { jobId: string; outcome: string }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const jobId = event.detail.id;
      const outcome = await new ImportRunner(services, context.awsRequestId).run(jobId, () => context.getRemainingTimeInMillis());
      logger.info('import worked', { jobId, outcome });
      return { jobId, outcome };
    });
}
