import { displayName } from '../domain/contact.ts';
import type { KithEvent } from '../events/types.ts';
import type { Services } from './services.ts';

export type Recorded = 'stage_changed' | 'merged' | 'ignored';

/**
 * Turns a contact event into the system entry it calls for: `contact.updated` with
 * `lifecycleStage` among its changed fields, or `contact.merged`. Idempotent: each entry's id
 * derives from its cause, so a redelivered event writes nothing new.
 */
export async function recordContactEvent(event: KithEvent, services: Pick<Services, 'timeline' | 'contacts'>): Promise<Recorded> {
  const { detail } = event;
  if (event['detail-type'] === 'contact.merged') {
    const survivorId = detail.data?.mergedInto;
    if (typeof survivorId !== 'string') return 'ignored';
    const loser = await services.contacts.repository.get(detail.id);
    const name = loser ? displayName(loser) : 'a merged contact';
    await services.timeline.recordMerge(survivorId, { id: detail.id, name }, detail.occurredAt);
    return 'merged';
  }
  if (detail.changedFields.includes('lifecycleStage')) {
    const stage = await stageChangeOf(event, services);
    await services.timeline.recordStageChange(detail.id, {
      ...stage,
      version: detail.version,
      at: detail.occurredAt,
      actor: detail.actor,
    });
    return 'stage_changed';
  }
  return 'ignored';
}

/** The stages before and after, from the event (the translator reports them) or, failing that, the record. */
async function stageChangeOf(event: KithEvent, services: Pick<Services, 'contacts'>): Promise<{ from?: string; to?: string }> {
  const { from, to } = event.detail.data ?? {};
  if (typeof from === 'string' || typeof to === 'string') {
    return { ...(typeof from === 'string' ? { from } : {}), ...(typeof to === 'string' ? { to } : {}) };
  }
  const contact = await services.contacts.repository.get(event.detail.id);
  return contact?.version === event.detail.version && contact.lifecycleStage ? { to: contact.lifecycleStage } : {};
}
