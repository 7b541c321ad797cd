import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Services } from '../../shared/app/services.ts';
import type { KithEvent } from '../../shared/events/types.ts';
import { IDENTITY_FIELDS } from '../../shared/domain/dedup/profile.ts';

/** What the bus or the scheduler hands the dedup function. */
export type DedupInvocation = KithEvent | { schedule: string; scheduledTime: string };

/** Fields whose change can change who a contact is; anything else is not dedup's business. */
const RELEVANT_FIELDS = new Set<string>([...IDENTITY_FIELDS, 'status', 'companyId']);

/**
 * The dedup consumer: on a contact change, re-files the contact and refreshes its duplicate
 * suggestions; on its schedule, audits the whole table. Idempotent and order-tolerant because
 * it always works from the contact as stored now, never from the event's view of it.
 */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'dedup' } });
  return middy<DedupInvocation, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (invocation) => {
      if ('schedule' in invocation) {
        const report = await services.duplicates.audit();
        logger.info('dedup audit finished', { ...report });
        return report;
      }
      const { detail } = invocation;
      if (detail.entity !== 'contact') return { skipped: 'not a contact' };
      const created = invocation['detail-type'] === 'contact.created';
      if (!created && !detail.changedFields.some((field) => RELEVANT_FIELDS.has(field))) {
        return { skipped: 'no identity field changed' };
      }
      const outcome = await services.duplicates.syncContact(detail.id);
      logger.info('contact synced', { ...outcome, eventId: detail.eventId, version: detail.version });
      return outcome;
    });
}
