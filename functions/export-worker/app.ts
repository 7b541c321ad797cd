import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { KithEvent } from '../../shared/events/types.ts';
import type { Services } from '../../shared/app/services.ts';
import { runExport } from '../../shared/app/exports.ts';

/** Writes an export job's file when the job is created or re-dispatched. */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'export-worker' } });
  return middy<KithEvent, { jobId: string; outcome: string }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const jobId = event.detail.id;
      const outcome = await runExport(services, jobId, context.awsRequestId);
      logger.info('export worked', { jobId, outcome });
      return { jobId, outcome };
    });
}
