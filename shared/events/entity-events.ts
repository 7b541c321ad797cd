import { ITEM_TYPES } from '../store/keys.ts';
import type { DetailType, JsonValue } from './types.ts';

/** The write a transition names: a field taking a value (optionally from given values), or appearing. */
export type TransitionCondition =
  { field: string; becomes: JsonValue; from?: readonly JsonValue[] } | { field: string; appears: true };

/** An update that has a name of its own, e.g. a contact whose status becomes `archived`. */
export interface Transition {
  type: DetailType;
  when: TransitionCondition;
  /** Facts copied from the new image into `data`: data key → attribute name. */
  data?: Readonly<Record<string, string>>;
}

/** How the change stream speaks about one entity type. */
export interface EntityEventSpec {
  /** Put capped old and new values into `data.changes` (what field history records). */
  carriesChanges: boolean;
  /** Fields computed from others: they never count as a change on their own. */
  derivedFields?: readonly string[];
  /** Map-valued fields whose entries `data.changes` reports one by one (`customFields.tier`). */
  keyedFields?: readonly string[];
  /** A change of this field also puts its old and new value into `data.from` / `data.to`. */
  reportsFromTo?: string;
  /** Checked in order on updates; the first that applies names the event instead of `<entity>.updated`. */
  transitions?: readonly Transition[];
  /** Names for a creation or deletion that `<entity>.created` / `.deleted` would not say (an activity is logged). */
  names?: Readonly<Partial<Record<'created' | 'deleted', DetailType>>>;
  /**
   * Records in this state carry no values into events: a change into it or out of it says only
   * which transition happened (`contact.erased`), never what the record held.
   */
  withholdsValuesWhen?: { field: string; is: JsonValue };
  /**
   * Facts copied into `data` on every event of the entity (from the new image, or the old one
   * for a delete): data key → attribute name. E.g. the contact an activity is about, so a
   * consumer or a webhook (and erasure of its payloads) needs no read to know.
   */
  facts?: Readonly<Record<string, string>>;
}

/**
 * The entities the change stream publishes, by `entityType`. Every other item (claims, API
 * keys, idempotency records, memberships, history…) produces no event. Adding an entity or a
 * named transition is one entry here.
 */
export const ENTITY_EVENTS: Readonly<Record<string, EntityEventSpec>> = {
  [ITEM_TYPES.contact]: {
    carriesChanges: true,
    derivedFields: ['completeness'],
    keyedFields: ['customFields'],
    reportsFromTo: 'lifecycleStage',
    // GDPR: the erasure's own write has the person's values in its old image; they stay there.
    withholdsValuesWhen: { field: 'status', is: 'erased' },
    transitions: [
      { type: 'contact.erased', when: { field: 'status', becomes: 'erased' } },
      { type: 'contact.merged', when: { field: 'status', becomes: 'merged' }, data: { mergedInto: 'mergedInto' } },
      { type: 'contact.archived', when: { field: 'status', becomes: 'archived' } },
      { type: 'contact.restored', when: { field: 'status', becomes: 'active', from: ['archived'] } },
    ],
  },
  [ITEM_TYPES.company]: {
    carriesChanges: true,
    transitions: [
      { type: 'company.archived', when: { field: 'status', becomes: 'archived' } },
      { type: 'company.restored', when: { field: 'status', becomes: 'active', from: ['archived'] } },
    ],
  },
  [ITEM_TYPES.activity]: {
    carriesChanges: false,
    names: { created: 'activity.logged' },
    // `movedFrom` appears on entries a merge moved to the survivor: not a new interaction.
    facts: { contactId: 'contactId', kind: 'kind', movedFrom: 'movedFrom' },
  },
  // Each tie is two items (one per end), so each change is two events, one from each contact's side.
  [ITEM_TYPES.relationship]: {
    carriesChanges: false,
    facts: { contactId: 'contactId', otherId: 'otherId', typeKey: 'typeKey' },
  },
  // Import and export jobs: their workers subscribe to `<kind>_job.created` and to updates whose
  // changedFields hold `dispatch` (a start, a worker handing over, the sweeper).
  [ITEM_TYPES.importJob]: { carriesChanges: false },
  [ITEM_TYPES.exportJob]: { carriesChanges: false },
  // The reminder sweep fires a reminder by setting `remindedAt` (once per `remindAt`).
  [ITEM_TYPES.task]: {
    carriesChanges: false,
    facts: { contactId: 'contactId', assigneeId: 'assigneeId' },
    transitions: [
      { type: 'task.reminder_due', when: { field: 'remindedAt', appears: true }, data: { remindAt: 'remindAt' } },
      { type: 'task.completed', when: { field: 'status', becomes: 'done' } },
    ],
  },
};

/** Attributes every entity carries that say nothing about what changed. */
export const BOOKKEEPING_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'version',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
]);
