import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { DynamoDBRecord } from 'aws-lambda';
import { translateRecords } from '../../shared/events/translator.ts';
import type { BusEntry } from '../../shared/events/types.ts';

/**
 * The change-stream Pipe's enrichment: a batch of DynamoDB stream records in, the bus entries
 * of their domain events out, in stream order. Items that are not entities produce nothing.
 * It needs no services (a pure translation), so its bundle stays ~35 KB instead of carrying
 * the whole CRM: it runs on every batch of the stream.
 */
export function create() {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'stream-publisher' } });
  return middy<DynamoDBRecord[], BusEntry[]>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (records) => {
      const { entries, skipped } = translateRecords(Array.isArray(records) ? records : []);
      const malformed = skipped.filter((s) => s.skipped === 'malformed');
      // Only ids: stream images hold personal data.
      if (malformed.length > 0) logger.warn('malformed entity records skipped', { eventIds: malformed.map((s) => s.eventId) });
      logger.debug('translated', { records: records.length, events: entries.length });
      return entries;
    });
}
