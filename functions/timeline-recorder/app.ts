import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Services } from '../../shared/app/services.ts';
import { recordContactEvent, type Recorded } from '../../shared/app/timeline-events.ts';
import type { KithEvent } from '../../shared/events/types.ts';

/** Writes the system entries that contact events call for (stage changes, merges) on the timeline. */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'timeline-recorder' } });
  return middy<KithEvent, Recorded>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const recorded = await recordContactEvent(event, services);
      logger.info('contact event recorded', { type: event['detail-type'], eventId: event.detail.eventId, recorded });
      return recorded;
    });
}
