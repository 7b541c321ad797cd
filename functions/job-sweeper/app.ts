import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Services } from '../../shared/app/services.ts';

/**
 * The safety net of import and export jobs: a job whose worker died (and whose retries ran
 * out) keeps a lease that expires; this re-dispatches every such job so a worker picks it up.
 */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'job-sweeper' } });
  return middy<{ schedule?: string; scheduledTime?: string }, { redispatched: number }>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async () => {
      const stalled = await services.jobs.stalled();
      for (const job of stalled) await services.jobs.redispatch(job);
      if (stalled.length > 0) logger.info('re-dispatched stalled jobs', { jobs: stalled.map((j) => j.id) });
      return { redispatched: stalled.length };
    });
}
