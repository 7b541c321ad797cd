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
  /** How long the HTTP API trusts an authorizer answer for the same Authorization header. */
  authorizerResultCacheSeconds: 60,
  /** A dedup block shared by more contacts than this (a very common name) is not compared. */
  maxDedupBlockSize: 50,
  /** Blocking keys one contact files under; more only repeats what the first ones catch. */
  maxDedupKeysPerContact: 40,
  /** Items a merge moves per DynamoDB transaction (each move is a put and a delete; the cap is 100). */
  mergeMoveBatchSize: 40,
} as const;

/**
 * How events travel between the table and the consumers, and when they give up and land in a
 * dead-letter queue. The AWS stack configures the Pipe, rules and schedules with these; the
 * local runtime may honour the same numbers.
 */
export const DELIVERY = {
  /**
   * Stream records per call of the stream publisher. Ten is what one PutEvents call carries, so
   * a batch is one target call; small batches also let AUTOMATIC_BISECT isolate a poison
   * record in a few halvings.
   */
  streamBatchSize: 10,
  /** Longest wait to fill a batch: bounds write-to-consumer latency, lets a burst share calls. */
  streamBatchWindowSeconds: 1,
  /** Retries of a failing stream batch (each halved by bisection) before it is dead-lettered. */
  streamMaxRetries: 8,
  /**
   * Age after which a stream record is dead-lettered instead of retried: an hour absorbs an
   * outage, and leaves the 24 h stream retention to replay what the dead-letter queue names.
   */
  streamMaxRecordAgeSeconds: 60 * 60,
  /** Attempts of EventBridge (rules and schedules) to hand an event to Lambda. */
  targetMaxRetries: 10,
  targetMaxEventAgeSeconds: 60 * 60,
  /** Lambda's own retries of an asynchronous invocation whose handler failed (2 is its maximum). */
  asyncInvokeMaxRetries: 2,
  asyncInvokeMaxEventAgeSeconds: 6 * 60 * 60,
  /** How long a dead-letter queue keeps a message (SQS's maximum): time to look and redrive. */
  deadLetterRetentionDays: 14,
} as const;
