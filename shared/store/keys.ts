/**
 * Every key shape of the table, and the only place that spells one.
 * `type` values double as the entity names of domain events.
 */
export const ITEM_TYPES = {
  contact: 'contact',
  company: 'company',
  membership: 'membership',
  emailClaim: 'email_claim',
  externalIdClaim: 'external_id_claim',
  domainClaim: 'domain_claim',
  field: 'field',
  apiKey: 'api_key',
  idempotency: 'idempotency',
  importJob: 'import_job',
  exportJob: 'export_job',
  importRowMarker: 'import_row_marker',
  suppression: 'suppression',
  segment: 'segment',
  /** Field history entries, written by the history consumer; the stream translator ignores them. */
  history: 'history',
  duplicate: 'duplicate',
  dedupBlock: 'dedup_block',
  dedupState: 'dedup_state',
  dedupLink: 'dedup_link',
  merge: 'merge',
  mergeLock: 'merge_lock',
  activity: 'activity',
  relationship: 'relationship',
  task: 'task',
  taskLink: 'task_link',
  webhook: 'webhook',
  webhookDelivery: 'webhook_delivery',
  sweepCheckpoint: 'sweep_checkpoint',
  /** The checkpoint and record of a GDPR erasure. */
  erasure: 'erasure',
  /** In a contact's partition: an idempotency record whose stored response holds the contact. */
  idempotencyRef: 'idempotency_ref',
  workflow: 'workflow',
  /** Workflow bookkeeping: runs, evaluation checkpoints, round-robin counters, segment memberships. */
  workflowRun: 'workflow_run',
  workflowCheckpoint: 'workflow_checkpoint',
  workflowCounter: 'workflow_counter',
  segmentMember: 'segment_member',
} as const;
export type ItemType = (typeof ITEM_TYPES)[keyof typeof ITEM_TYPES];

/** Sparse "due" indexes on GSI2, one per kind of timed work. */
export type DueQueue = 'REMIND' | 'RETRY' | 'WFRUN';

/** How a task sorts in its lists: open before done, then soonest due (undated last), then oldest. */
function taskOrder(task: { status: 'open' | 'done'; dueAt?: string; id: string }): string {
  return `${TASK_STATUS_RANK[task.status]}#${task.dueAt ?? '~'}#${task.id}`;
}
const TASK_STATUS_RANK = { open: '1', done: '2' } as const;

export interface Key {
  pk: string;
  sk: string;
}

export type ListStatus = 'active' | 'archived';

/** Sort-key prefixes of the item kinds in a contact's partition (task: the links to its tasks). */
const CONTACT_ITEM_PREFIX = {
  history: 'HIST#',
  membership: 'MEMBER#',
  activity: 'ACT#',
  edge: 'EDGE#',
  task: 'TASK#',
  idempotency: 'IDEM#',
} as const;

export const keys = {
  contact: (id: string): Key => ({ pk: `CONTACT#${id}`, sk: 'PROFILE' }),
  /** GSI1: contacts newest first, per status. */
  contactList: (status: ListStatus, id: string) => ({ gsi1pk: `CONTACTS#${status}`, gsi1sk: id }),
  contactListPartition: (status: ListStatus) => `CONTACTS#${status}`,

  emailClaim: (address: string): Key => ({ pk: `EMAIL#${address}`, sk: 'CLAIM' }),
  externalIdClaim: (system: string, externalId: string): Key => ({ pk: `EXT#${system}#${externalId}`, sk: 'CLAIM' }),

  company: (id: string): Key => ({ pk: `COMPANY#${id}`, sk: 'PROFILE' }),
  companyList: (status: ListStatus, id: string) => ({ gsi1pk: `COMPANIES#${status}`, gsi1sk: id }),
  companyListPartition: (status: ListStatus) => `COMPANIES#${status}`,
  domainClaim: (domain: string): Key => ({ pk: `DOMAIN#${domain}`, sk: 'CLAIM' }),

  /** The contact's side of a company membership; GSI1 gives the company's side. */
  membership: (contactId: string, companyId: string): Key => ({ pk: `CONTACT#${contactId}`, sk: `MEMBER#COMPANY#${companyId}` }),
  membershipByCompany: (companyId: string, contactId: string) => ({ gsi1pk: `MEMBERS#${companyId}`, gsi1sk: contactId }),
  membersPartition: (companyId: string) => `MEMBERS#${companyId}`,

  fieldDefinition: (entity: 'contact', key: string): Key => ({ pk: `SCHEMA#${entity}`, sk: `FIELD#${key}` }),
  fieldDefinitionsPartition: (entity: 'contact') => `SCHEMA#${entity}`,

  apiKey: (secretHash: string): Key => ({ pk: `APIKEY#${secretHash}`, sk: 'KEY' }),
  apiKeyById: (keyId: string) => ({ gsi1pk: 'APIKEYS', gsi1sk: keyId }),
  apiKeysPartition: () => 'APIKEYS',

  /** A saved filter; GSI1 lists them newest first. */
  segment: (id: string): Key => ({ pk: `SEGMENT#${id}`, sk: 'DEF' }),
  segmentList: (id: string) => ({ gsi1pk: 'SEGMENTS', gsi1sk: id }),
  segmentListPartition: () => 'SEGMENTS',

  idempotency: (scope: string, idempotencyKey: string): Key => ({ pk: `IDEMPOTENCY#${scope}#${idempotencyKey}`, sk: 'RECORD' }),
  /**
   * Beside a contact, the idempotency records whose stored response carries it: erasing the
   * person finds and deletes them (merges move them to the survivor with everything else).
   */
  idempotencyRef: (contactId: string, record: Key): Key => ({
    pk: `CONTACT#${contactId}`,
    sk: `${CONTACT_ITEM_PREFIX.idempotency}${record.pk}`,
  }),

  /** Import and export jobs; GSI1 lists each kind newest first. */
  job: (id: string): Key => ({ pk: `JOB#${id}`, sk: 'JOB' }),
  jobList: (kind: 'import' | 'export', id: string) => ({ gsi1pk: `JOBS#${kind}`, gsi1sk: id }),
  jobListPartition: (kind: 'import' | 'export') => `JOBS#${kind}`,
  /** GSI2, sparse: jobs that still have work, by the time their lease runs out (the sweeper's view). */
  activeJob: (leaseUntil: string, id: string) => ({ gsi2pk: 'JOBS#active', gsi2sk: `${leaseUntil}#${id}` }),
  activeJobsPartition: () => 'JOBS#active',
  /** Written in the same transaction as the update a row of an import applied: a replay sees it and skips. */
  importRowMarker: (jobId: string, row: number): Key => ({ pk: `JOB#${jobId}`, sk: `ROW#${String(row).padStart(9, '0')}` }),

  /** An erased person's email or phone, hashed: imports skip them unless told otherwise. */
  suppression: (hash: string): Key => ({ pk: `SUPPRESSED#${hash}`, sk: 'SUPPRESSED' }),
  /** Present once anyone was ever suppressed. */
  suppressionInUse: (): Key => ({ pk: 'SUPPRESSED#ANY', sk: 'SUPPRESSED' }),
  /** Everything stored under a contact: profile, memberships, timeline, history, edges. */
  contactPartition: (id: string) => `CONTACT#${id}`,
  /** Sort-key prefixes of the item kinds in a contact's partition. */
  contactItemPrefix: CONTACT_ITEM_PREFIX,

  /** A duplicate suggestion; a < b. GSI2 (sparse): open and dismissed ones, best score first. */
  duplicatePair: (a: string, b: string): Key => ({ pk: `DUP#${a}#${b}`, sk: 'PAIR' }),
  duplicateList: (status: 'open' | 'dismissed', score: number, pairId: string) => ({
    gsi2pk: `DUPLICATES#${status}`,
    gsi2sk: `${score.toFixed(4)}#${pairId}`,
  }),
  duplicateListPartition: (status: 'open' | 'dismissed') => `DUPLICATES#${status}`,
  /** Dedup blocking index, written only by the dedup consumer: one item per (block, contact). */
  dedupBlock: (blockKey: string, contactId: string): Key => ({ pk: `DEDUPKEY#${blockKey}`, sk: contactId }),
  dedupBlockPartition: (blockKey: string) => `DEDUPKEY#${blockKey}`,
  /** Per-contact dedup bookkeeping: the keys it is filed under and the pairs it is part of. */
  dedupState: (contactId: string): Key => ({ pk: `DEDUP#${contactId}`, sk: 'STATE' }),
  dedupLink: (contactId: string, partnerId: string): Key => ({ pk: `DEDUP#${contactId}`, sk: `PAIR#${partnerId}` }),
  dedupPartition: (contactId: string) => `DEDUP#${contactId}`,
  dedupLinkPrefix: 'PAIR#',

  /** The erasure of a person (keyed by the surviving contact's id): its checkpoint and its record. */
  erasure: (personId: string): Key => ({ pk: `ERASURE#${personId}`, sk: 'RECORD' }),
  /** GSI1: erasures by when they started, so workers can tell which happened while they ran. */
  erasureList: (startedAt: string, personId: string) => ({ gsi1pk: 'ERASURES', gsi1sk: `${startedAt}#${personId}` }),
  erasureListPartition: () => 'ERASURES',

  /** A merge of `loserId` into a survivor: its checkpoint, so a crashed merge finishes on retry. */
  merge: (loserId: string): Key => ({ pk: `MERGE#${loserId}`, sk: 'RECORD' }),
  /** Held by both contacts while a merge runs, so no second merge interleaves. */
  mergeLock: (contactId: string): Key => ({ pk: `MERGELOCK#${contactId}`, sk: 'LOCK' }),

  /** Timeline entries sort by when they happened: the id is a ULID of `occurredAt`. */
  activity: (contactId: string, activityId: string): Key => ({
    pk: `CONTACT#${contactId}`,
    sk: `${CONTACT_ITEM_PREFIX.activity}${activityId}`,
  }),

  /** One end of a tie; the other end is the same call with the contacts swapped and the inverse type. */
  relationship: (contactId: string, typeKey: string, otherId: string): Key => ({
    pk: `CONTACT#${contactId}`,
    sk: `${CONTACT_ITEM_PREFIX.edge}${typeKey}#${otherId}`,
  }),
  relationshipsPrefix: (typeKey?: string) => `${CONTACT_ITEM_PREFIX.edge}${typeKey ? `${typeKey}#` : ''}`,

  task: (taskId: string): Key => ({ pk: `TASK#${taskId}`, sk: 'TASK' }),
  /** GSI1: every task, open first, soonest due first. */
  taskList: (task: { status: 'open' | 'done'; dueAt?: string; id: string }) => ({ gsi1pk: 'TASKS', gsi1sk: taskOrder(task) }),
  taskListPartition: () => 'TASKS',
  /** GSI3: an assignee's tasks, in the same order. */
  taskByAssignee: (assigneeId: string, task: { status: 'open' | 'done'; dueAt?: string; id: string }) => ({
    gsi3pk: `ASSIGNEE#${assigneeId}#TASKS`,
    gsi3sk: taskOrder(task),
  }),
  assigneeTasksPartition: (assigneeId: string) => `ASSIGNEE#${assigneeId}#TASKS`,
  /** A contact's tasks: a link in the contact's partition, keyed in the same order. */
  taskLink: (contactId: string, task: { status: 'open' | 'done'; dueAt?: string; id: string }): Key => ({
    pk: `CONTACT#${contactId}`,
    sk: `${CONTACT_ITEM_PREFIX.task}${taskOrder(task)}`,
  }),
  taskLinksPrefix: (status?: 'open' | 'done') => `${CONTACT_ITEM_PREFIX.task}${status ? `${TASK_STATUS_RANK[status]}#` : ''}`,
  /** The sort-key prefix of a status inside the GSI lists. */
  taskStatusPrefix: (status: 'open' | 'done') => `${TASK_STATUS_RANK[status]}#`,

  /** GSI2: timed work waiting in minute `minute`, spread over shards, ordered by due time. */
  dueSlot: (queue: DueQueue, minute: string, shard: number, dueAt: string, id: string) => ({
    gsi2pk: `${queue}#${minute}#${shard}`,
    gsi2sk: `${dueAt}#${id}`,
  }),
  duePartition: (queue: DueQueue, minute: string, shard: number) => `${queue}#${minute}#${shard}`,
  /** Sorts after every `<dueAt>#<id>` whose dueAt is at or before `at`. */
  dueUpTo: (at: string) => `${at}#~`,
  sweepCheckpoint: (queue: DueQueue): Key => ({ pk: `SWEEP#${queue}`, sk: 'CHECKPOINT' }),

  webhook: (webhookId: string): Key => ({ pk: `HOOK#${webhookId}`, sk: 'DEF' }),
  webhookList: (webhookId: string) => ({ gsi1pk: 'HOOKS', gsi1sk: webhookId }),
  webhooksPartition: () => 'HOOKS',
  /** Deliveries live beside their subscription, newest last (ULIDs). */
  webhookDelivery: (webhookId: string, deliveryId: string): Key => ({ pk: `HOOK#${webhookId}`, sk: `DELIVERY#${deliveryId}` }),
  webhookDeliveriesPrefix: () => 'DELIVERY#',
  /** GSI1: the deliveries that mention a contact, so erasing the person can find their payloads. */
  deliveryByContact: (contactId: string, deliveryId: string) => ({
    gsi1pk: `DELIVERIES#CONTACT#${contactId}`,
    gsi1sk: deliveryId,
  }),
  contactDeliveriesPartition: (contactId: string) => `DELIVERIES#CONTACT#${contactId}`,

  /** A workflow definition; GSI1 lists them newest first. */
  workflow: (id: string): Key => ({ pk: `WORKFLOW#${id}`, sk: 'DEF' }),
  workflowList: (id: string) => ({ gsi1pk: 'WORKFLOWS', gsi1sk: id }),
  workflowsPartition: () => 'WORKFLOWS',
  /** How far the scheduled evaluation of a workflow's time trigger has got. */
  workflowCheckpoint: (id: string): Key => ({ pk: `WORKFLOW#${id}`, sk: 'CHECKPOINT' }),
  /** The turn counter of a round-robin action (the action's position in the workflow). */
  workflowCounter: (id: string, action: number): Key => ({ pk: `WORKFLOW#${id}`, sk: `COUNTER#${action}` }),
  /** Deliveries of a workflow's webhook actions, beside the workflow. */
  workflowDelivery: (workflowId: string, deliveryId: string): Key => ({
    pk: `WORKFLOW#${workflowId}`,
    sk: `DELIVERY#${deliveryId}`,
  }),
  /**
   * One run of a workflow for a contact and a cause (an event, a segment entry, a period of a time
   * trigger): the key is derived from the cause, so a second attempt to start the same run finds
   * the first. GSI1 lists a workflow's runs newest first by run id.
   */
  workflowRun: (workflowId: string, contactId: string, runKey: string): Key => ({
    pk: `RUN#${workflowId}#${contactId}#${runKey}`,
    sk: 'RUN',
  }),
  workflowRunList: (workflowId: string, runId: string) => ({ gsi1pk: `RUNS#${workflowId}`, gsi1sk: runId }),
  workflowRunsPartition: (workflowId: string) => `RUNS#${workflowId}`,
  /** GSI3: a contact's runs of every workflow, so erasing or exporting the person finds them. */
  workflowRunByContact: (contactId: string, runId: string) => ({ gsi3pk: `RUNS#CONTACT#${contactId}`, gsi3sk: runId }),
  contactRunsPartition: (contactId: string) => `RUNS#CONTACT#${contactId}`,
  /** Whether a contact is in a segment, as workflows last saw it (`segment_entered`). */
  segmentMember: (segmentId: string, contactId: string): Key => ({ pk: `SEGMENT#${segmentId}`, sk: `MEMBER#${contactId}` }),

  /**
   * One field history entry in the entity's own partition. The ULID is derived from the change
   * (its time, and a hash of entity, id and version), so a redelivered event lands on the same
   * key, entries sort newest first by time, and a merged contact's history interleaves with the
   * survivor's without collisions.
   */
  history: (entity: HistoryEntity, id: string, entryId: string): Key => ({
    pk: historyPartition(entity, id),
    sk: `${HISTORY_PREFIX}${entryId}`,
  }),
  historyPartition: (entity: HistoryEntity, id: string) => historyPartition(entity, id),
  historyPrefix: () => HISTORY_PREFIX,
} as const;

/** Entities whose field history Kith keeps. */
export type HistoryEntity = 'contact' | 'company';
const HISTORY_PREFIX = keys.contactItemPrefix.history;

function historyPartition(entity: HistoryEntity, id: string): string {
  return entity === 'contact' ? keys.contact(id).pk : keys.company(id).pk;
}
