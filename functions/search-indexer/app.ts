import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Services } from '../../shared/app/services.ts';
import type { KithEvent } from '../../shared/events/types.ts';

/**
 * Keeps the search index in line with the table: on every contact event, read the record and
 * index it at its version (or tombstone it); on every company event, re-index its members. Late and repeated events are harmless: the index
 * refuses versions it already has. Index failures throw, so the bus retries, then dead-letters.
 */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'search-indexer' } });
  return middy<KithEvent, void>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const { entity, id, version } = event.detail;
      if (entity !== 'contact' && entity !== 'company') return;
      // A contact's document carries its company's name: a company change re-indexes its members.
      const report =
        entity === 'contact' ? await services.search.indexContact(id, version) : await services.search.indexCompany(id);
      if (report.rejected.some((item) => item.status === 429 || item.status >= 500)) {
        // Still throttled after the adapter's own retries: let the bus retry the event later.
        throw new Error(`the search index did not take contact ${id} (status ${report.rejected[0]!.status}); retrying`);
      }
      if (report.rejected.length > 0) {
        // A document the mapping refuses will be refused again: report it, never retry it forever.
        logger.error('search index rejected contact documents', { entity, id, version, rejected: report.rejected });
        return;
      }
      logger.debug('indexed', {
        entity,
        id,
        version,
        detailType: event['detail-type'],
        written: report.written,
        stale: report.stale,
      });
    });
}
