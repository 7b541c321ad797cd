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
  /** EventBridge's ceiling for one event (PutEvents entry), envelope included. */
  eventMaxBytes: 256 * 1024,
  /** An old or new value larger than this travels as `{ truncated: true }` in `data.changes`. */
  eventChangeValueMaxBytes: 1024,
  /**
   * Budget of one event's `data.changes`. 32 KB keeps any event far below eventMaxBytes and a
   * whole Pipe batch of 100 events below the 6 MB an enrichment may return.
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
} as const;
