import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { KithEvent } from '../../shared/events/types.ts';
import type { Services } from '../../shared/app/services.ts';

/**
 * Field history consumer: one EventBridge event in, at most one history entry written.
 * Idempotent and order-tolerant (see FieldHistoryService.record); a failure is thrown so the
 * delivery is retried and, after the last attempt, dead-lettered.
 */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'history' } });
  return middy<KithEvent, void>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const outcome = await services.history.record(event);
      const { eventId, entity, id, version } = event.detail ?? {};
      logger.info('history', { outcome, eventId, entity, id, version });
    });
}
