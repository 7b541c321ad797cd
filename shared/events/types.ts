/**
 * Domain events: what the change stream says happened, as EventBridge carries it.
 * Small by design (ids, names and capped old/new values, never whole records): a consumer
 * that needs the record reads it.
 */
export const EVENT_SOURCE = 'kith';

/** `<entity>.<action>`, e.g. `contact.updated`, `task.reminder_due`. */
export type DetailType = `${string}.${string}`;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Stands in for an old or new value too large to travel in an event (see LIMITS.eventChangeValueMaxBytes). */
export const TRUNCATED = Object.freeze({ truncated: true as const });
export type Truncated = typeof TRUNCATED;

/** One field's change: `from` is absent when the field was unset, `to` when it was removed. */
export interface FieldChange {
  from?: JsonValue | Truncated;
  to?: JsonValue | Truncated;
}

/** Small, event-specific facts. Each key is documented where the translator sets it. */
export interface EventData {
  /**
   * Old and new values by field, for entities that carry them (contacts, companies).
   * Keys are top-level fields, or `customFields.<key>` for each custom field.
   */
  changes?: Record<string, FieldChange>;
  /** Fields whose changes did not fit the size budget: they are in `changedFields`, not in `changes`. */
  changesOmitted?: string[];
  /** `contact.merged`: the survivor's id. */
  mergedInto?: string;
  /** A contact event that changed `lifecycleStage`: the stage before and after. */
  from?: JsonValue;
  to?: JsonValue;
  [fact: string]: unknown;
}

export interface DomainEventDetail {
  /** Unique per event and stable across redeliveries: the stream record's eventID. */
  eventId: string;
  /** The entity type, as the item's `entityType` names it: `contact`, `company`, … */
  entity: string;
  id: string;
  /**
   * The entity version this event describes; consumers use it to ignore stale events.
   * A delete carries the last stored version + 1, so it orders after every update.
   */
  version: number;
  /** Top-level fields whose value differs between the old and the new image (bookkeeping excluded). */
  changedFields: string[];
  /** Who made the change (`updatedBy` of the item), e.g. `key:01J…`, `system:ttl`; `unknown` for a plain delete. */
  actor: string;
  /** When the write happened: the item's `updatedAt`, else the stream record's creation time. */
  occurredAt: string;
  data?: EventData;
}

/**
 * What the change stream hands to the bus: one PutEvents entry, in the envelope's own field
 * names. The stream-publisher (the Pipe's enrichment) returns an array of these, in stream order.
 * In AWS the Pipe's bus target maps them with Source `$.source`, DetailType `$.detail-type`,
 * Time `$.time` and InputTemplate `<$.detail>`; locally the bus reads them as they are.
 */
export interface BusEntry<D extends DomainEventDetail = DomainEventDetail> {
  source: typeof EVENT_SOURCE;
  'detail-type': DetailType;
  time: string;
  detail: D;
}

/** The EventBridge envelope, exactly as a rule delivers it to a Lambda target. */
export interface KithEvent<D extends DomainEventDetail = DomainEventDetail> {
  version: '0';
  /** Assigned by the bus; the same for every target of one event. Use `detail.eventId` to deduplicate. */
  id: string;
  'detail-type': DetailType;
  source: typeof EVENT_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

/** What a scheduled function receives, locally and from EventBridge Scheduler. */
export interface ScheduledInvocation {
  /** The schedule's name in the topology. */
  schedule: string;
  /** The occurrence this invocation is for (ISO 8601), not the time it runs. */
  scheduledTime: string;
}
