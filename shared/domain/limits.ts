/** Every limit of the system, in one place. */
export const LIMITS = {
  /** Largest JSON request body the API accepts (API Gateway's own ceiling is 10 MB). */
  maxBodyBytes: 1024 * 1024,
  /** Default and largest page size of list endpoints. */
  defaultPageSize: 25,
  maxPageSize: 100,
  /** Largest page of a search request. */
  maxSearchPageSize: 200,
  /** Operations in one POST /v1/contacts/batch. */
  maxBatchOperations: 100,
  maxEmailsPerContact: 20,
  maxPhonesPerContact: 20,
  maxTagsPerContact: 100,
  maxTagLength: 64,
  maxTextLength: 1000,
  maxNameLength: 200,
  maxCustomFields: 200,
  maxExternalIds: 20,
  maxFieldOptions: 500,
  /** Idempotency-Key records live this long. */
  idempotencyTtlSeconds: 24 * 60 * 60,
  maxIdempotencyKeyLength: 255,
  /** How long a process trusts its cached custom field definitions. */
  fieldDefinitionCacheMs: 10_000,
  /** How long a process trusts an API key it already verified. */
  apiKeyCacheMs: 30_000,
  /** API keys record their last use at most this often. */
  apiKeyLastUsedResolutionMs: 60_000,
  /** Conditions, and/or/not nodes of one filter, and how deep they may nest. */
  maxFilterNodes: 100,
  maxFilterDepth: 8,
  /** Values of one `in`/`nin` condition. */
  maxFilterValues: 100,
  /** Length of a string value in a filter, and of a free-text query. */
  maxFilterStringLength: 1000,
  maxSearchQueryLength: 200,
  /** Sort keys of one search (the id tie-breaker is added on top). */
  maxSortKeys: 3,
  /** Facet fields of one search, and values returned per facet. */
  maxFacets: 8,
  maxFacetValues: 20,
  /** Segments are small saved objects; a team rarely needs more than a few hundred. */
  maxSegmentNameLength: 200,
  /** Documents per OpenSearch _bulk request, and attempts of items it throttles (429/5xx). */
  searchBulkSize: 500,
  searchBulkAttempts: 5,
  /** Retries of optimistic read-modify-write loops inside one request. */
  maxOptimisticRetries: 5,

  /** Largest file an import accepts, and most data rows in it (a job keeps its prepared rows in memory). */
  maxImportFileBytes: 256 * 1024 * 1024,
  maxImportRows: 500_000,
  /** Longest CSV record, in characters: a quoted field that never closes stops here, not at the end of the file. */
  maxCsvRecordChars: 256 * 1024,
  /** Rows a worker prepares, looks up and writes as one unit; the job item is checkpointed after each. */
  importChunkRows: 1000,
  /** Items in one TransactWriteItems (DynamoDB's ceiling). */
  maxTransactionItems: 100,
  /** Transactions and updates an import worker runs at once. */
  importWriteConcurrency: 4,
  /** Keys in one BatchGetItem (DynamoDB's ceiling). */
  maxBatchGetKeys: 100,
  /** Items in one BatchWriteItem (DynamoDB's ceiling). */
  maxBatchWriteItems: 25,
  /** Errors and preview rows a job item carries for GET (the full list is the error report). */
  jobErrorsShown: 20,
  jobPreviewRows: 10,
  /** How long a worker owns a running job without renewing; after that another may take over. */
  jobLeaseMs: 60_000,
  /** Invocations a job may take (continuations and retries) before it is failed rather than retried forever. */
  maxJobInvocations: 50,
  /** A worker stops, checkpoints and re-triggers itself when its invocation has less than this left. */
  jobTimeReserveMs: 60_000,
  /** Per-row idempotency markers of imports outlive any job that could resume them. */
  importMarkerTtlSeconds: 14 * 24 * 60 * 60,
  /** Upload and download links of jobs. */
  jobLinkTtlSeconds: 15 * 60,
  /** Contacts an export reads per page. */
  exportPageSize: 100,
  /** vCard content lines are folded at this many octets (RFC 6350 §3.2). */
  vcardLineOctets: 75,
  /** How long the HTTP API trusts an authorizer answer for the same Authorization header. */
  authorizerResultCacheSeconds: 60,
  /** EventBridge's ceiling for one event (PutEvents entry), envelope included. */
  eventMaxBytes: 256 * 1024,
  /** An old or new value larger than this travels as `{ truncated: true }` in `data.changes`. */
  eventChangeValueMaxBytes: 1024,
  /**
   * Budget of one event's `data.changes`. 32 KB keeps any event far below eventMaxBytes and a
   * whole Pipe batch (changeStream.batchSize events) below the 6 MB an enrichment may return.
   */
  eventChangesMaxBytes: 32 * 1024,
  /** Dead letters one redrive request replays; the operator calls again for the rest. */
  maxRedrivePerRequest: 100,
  /** A dedup block shared by more contacts than this (a very common name) is not compared. */
  maxDedupBlockSize: 50,
  /** Blocking keys one contact files under; more only repeats what the first ones catch. */
  maxDedupKeysPerContact: 40,
  /** Items a merge moves per DynamoDB transaction (each move is a put and a delete; the cap is 100). */
  mergeMoveBatchSize: 40,

  /** Timeline: the longest activity body (an email pasted whole) and the most participants. */
  maxActivityBodyLength: 20_000,
  maxActivityParticipants: 50,
  /** Longest call or meeting an activity may record (a day). */
  maxActivityDurationSeconds: 24 * 60 * 60,
  /** How far in the future an activity may be dated (clock skew between devices), not more. */
  activityFutureToleranceMs: 5 * 60 * 1000,
  /** Interactions read at most when a contact's engagement is recomputed after an edit. */
  maxInteractionsForEngagement: 1000,

  /** Relationship map: a contact's ties read at most when searching introductions. */
  maxTiesPerContact: 200,
  /** Contacts on the smaller side whose ties are read to find 3-hop introductions. */
  maxIntroductionExpansions: 50,
  maxIntroductionHops: 3,
  maxIntroductionPaths: 10,
  /** Edge queries in flight at once during an introduction search. */
  introductionQueryConcurrency: 8,

  maxTaskDescriptionLength: 5000,

  /** Due indexes (reminders, webhook retries): shards per minute, so "due now" is never one hot partition. */
  dueShards: 4,
  /** Due items of one shard handled at once (reminders fired, retries attempted). */
  dueWorkersPerShard: 4,
  /**
   * Each run re-reads this many minutes before its checkpoint: a write that landed in an
   * already-swept minute (a slow write, index lag, clock skew) is still found. Fired reminders
   * leave the sparse index, so re-reading costs a few empty queries, never a second firing.
   */
  dueRescanMinutes: 5,
  /** Minutes one run sweeps at most; a longer outage is caught up over the following runs. */
  maxDueMinutesPerRun: 120,

  /** Webhooks. */
  maxWebhookEventPatterns: 50,
  maxWebhookUrlLength: 2048,
  /** Standard Webhooks recommends 15–30 s for a receiver to answer. */
  webhookTimeoutMs: 15_000,
  /** Attempts per delivery, the first included; spread over about three days. */
  maxWebhookAttempts: 10,
  webhookRetryBaseSeconds: 30,
  webhookRetryFactor: 4,
  webhookRetryMaxDelaySeconds: 24 * 60 * 60,
  /** A delivery whose attempt never reported back is retried after this lease. */
  webhookAttemptLeaseSeconds: 120,
  /** Delivery records (and the payloads they keep) expire through the table's TTL. */
  webhookDeliveryRetentionDays: 30,
  /** How long a process trusts its cached list of webhook subscriptions. */
  webhookSubscriptionCacheMs: 10_000,

  /** GDPR. Longest reason an erasure records (it is kept: write no personal data in it). */
  maxErasureReasonLength: 500,
  /** Items an erasure reads per page of a partition before deleting them (a few BatchWriteItems in parallel). */
  erasurePageSize: 500,
  /** Deletes and redactions an erasure runs at once. */
  erasureConcurrency: 8,
  /**
   * The portability export (`GET /v1/contacts/{id}/export`) is one JSON response: each list holds
   * at most this many items and the whole document at most this many bytes (Lambda answers at most
   * 6 MB). A list cut short names the list route and cursor that continue it.
   */
  personalExportItemsPerList: 1000,
  personalExportMaxBytes: 4 * 1024 * 1024,
  /** Workflows. */
  maxWorkflowActions: 20,
  /** Longest stretch a time trigger, a due date or a reminder may name (ten years). */
  maxWorkflowDays: 3650,
  maxRoundRobinAssignees: 100,
  /**
   * Workflows one change can set off in a row: a run started by a person's (or Kith's) change is
   * depth 1, a run started by a depth-n run's write is depth n+1, and a depth-3 run's writes start
   * nothing. Bounds every chain, cycles between workflows included.
   */
  maxWorkflowChainDepth: 3,
  /** How long a run is left to the process that started it before a sweep resumes it. */
  workflowRunLeaseSeconds: 10 * 60,
  /** Attempts at one run (event redeliveries, sweeps) before its remaining actions are failed for good. */
  maxWorkflowRunAttempts: 10,
  /**
   * Each scheduled evaluation re-reads this far behind its checkpoint: a contact whose threshold
   * fell in the last evaluation's blind spot (index lag, a late or overlapping tick) is still found.
   */
  workflowEvaluationOverlapMinutes: 60,
  /** Runs started by events expire after this (event redeliveries and dead-letter redrives end well before). */
  workflowEventRunRetentionDays: 90,
  /** How long a process trusts its cached list of enabled workflows (and their segments). */
  workflowCacheMs: 10_000,
  /** Contacts one page of a scheduled evaluation reads and decides at once. */
  workflowCandidatePageSize: 100,
  /** Runs a scheduled evaluation executes at once. */
  workflowRunConcurrency: 8,
  /** A scheduled evaluation stops starting runs this long before its function's timeout; the next one carries on. */
  workflowEvaluationReserveMs: 60_000,
} as const;

/**
 * How EventBridge hands events to Lambda and how long failures are kept; the stream's own
 * settings (`changeStream`) and Lambda's retries (`eventDelivery`) are in infra/topology.ts.
 */
export const DELIVERY = {
  /** Attempts of EventBridge (rules and schedules) to hand an event to Lambda's queue. */
  targetMaxRetries: 10,
  targetMaxEventAgeSeconds: 60 * 60,
  /** How long a dead-letter queue keeps a message (SQS's maximum): time to look and redrive. */
  deadLetterRetentionDays: 14,
} as const;
