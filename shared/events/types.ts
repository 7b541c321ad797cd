/**
 * Domain events: what the change stream says happened, as EventBridge carries it.
 * Small by design (ids and names, never whole records): a consumer that needs the record reads it.
 */
export const EVENT_SOURCE = 'kith';

/** `<entity>.<action>`, e.g. `contact.updated`, `task.reminder_due`. */
export type DetailType = `${string}.${string}`;

export interface DomainEventDetail {
  /** Unique per event and stable across redeliveries (derived from the stream record). */
  eventId: string;
  /** The entity type, as the item's `entityType` names it: `contact`, `company`, … */
  entity: string;
  id: string;
  /** The entity version this event describes; consumers use it to ignore stale events. */
  version: number;
  /** Top-level fields whose value differs between the old and the new image. */
  changedFields: string[];
  /** Who made the change (`updatedBy` of the item), e.g. `key:01J…`, `workflow:01J…`, `system`. */
  actor: string;
  occurredAt: string;
  /** Small, event-specific facts (e.g. `mergedInto`, `from`/`to` of a stage change). */
  data?: Record<string, unknown>;
}

/** The EventBridge envelope, exactly as a rule delivers it to a Lambda target. */
export interface KithEvent<D extends DomainEventDetail = DomainEventDetail> {
  version: '0';
  id: string;
  'detail-type': DetailType;
  source: typeof EVENT_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

/**
 * One element of the stream publisher's answer to a batch of stream records. The AWS Pipe puts
 * each on the bus as is: `detail-type` and `source` become the event's, `detail.occurredAt` its
 * time, `detail` its detail. An empty answer publishes nothing (records the publisher ignores).
 */
export type PublishedEvent = Pick<KithEvent, 'source' | 'detail-type' | 'detail'>;
