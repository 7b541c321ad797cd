import { randomUUID } from 'node:crypto';
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
