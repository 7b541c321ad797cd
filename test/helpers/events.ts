import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { translateRecord } from '../../shared/events/translator.ts';
import type { KithEvent } from '../../shared/events/types.ts';

/** A domain event exactly as an EventBridge rule hands it to a consumer (shared/events/types.ts). */
export function kithEvent(
  detailType: `${string}.${string}`,
  detail: { entity: string; id: string; version: number; changedFields?: string[] },
): KithEvent {
  const at = new Date().toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'kith',
    account: '000000000000',
    time: at,
    region: 'local',
    resources: [],
    detail: { eventId: randomUUID(), changedFields: [], actor: 'test', occurredAt: at, ...detail },
  };
}

/**
 * The event the change stream publishes for a write of an entity from `before` to `after`
 * (undefined: created / deleted), made by the real translator from the stream record such a
 * write produces, so tests can deliver real events in any order, as often as they like.
 */
export function changeEvent(
  entity: string,
  before: object | undefined,
  after: object | undefined,
  eventId = randomUUID(),
): KithEvent {
  const image = (item: object) =>
    marshall({ ...item, entityType: entity }, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  const record: DynamoDBRecord = {
    eventID: eventId,
    eventName: !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY',
    dynamodb: { ...(before ? { OldImage: image(before) } : {}), ...(after ? { NewImage: image(after) } : {}) },
  };
  const entry = translateRecord(record);
  if ('skipped' in entry) throw new Error(`no event for this ${entity} change (${entry.skipped})`);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry['detail-type'],
    source: entry.source,
    account: '000000000000',
    time: entry.time,
    region: 'local',
    resources: [],
    detail: entry.detail,
  };
}
