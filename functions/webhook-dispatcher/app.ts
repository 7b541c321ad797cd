import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Services } from '../../shared/app/services.ts';
import type { DispatchResult, RetrySweep } from '../../shared/app/webhooks.ts';
import type { KithEvent, ScheduledInvocation } from '../../shared/events/types.ts';

function isEvent(input: KithEvent | ScheduledInvocation): input is KithEvent {
  return 'detail-type' in input;
}

/**
 * Two triggers, one job: each domain event is delivered to the webhooks subscribed to it, and
 * every minute the deliveries whose retry fell due are attempted again.
 */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'webhook-dispatcher' } });
  return middy<KithEvent | ScheduledInvocation, DispatchResult | RetrySweep>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (input) => {
      if (isEvent(input)) {
        const result = await services.webhookDispatcher.dispatch(input);
        if (result.matched > 0)
          logger.info('event dispatched', { type: input['detail-type'], eventId: input.detail.eventId, ...result });
        return result;
      }
      const sweep = await services.webhookDispatcher.retryDue();
      logger.info('retries swept', { scheduledTime: input.scheduledTime, ...sweep });
      return sweep;
    });
}
