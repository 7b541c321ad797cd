/**
 * The map of Kith: every function, HTTP route, event subscription and schedule, as plain data.
 * `infra/aws` turns it into AWS resources and `infra/local` runs the same handlers from it.
 * Adding a capability is one entry here plus its handler; nothing else is wired by hand.
 */
import type { Permission } from '../shared/domain/permissions.ts';
import type { EventPattern } from '../shared/events/pattern.ts';

export type { EventPattern, PatternMatcher } from '../shared/events/pattern.ts';

export type Access = 'read' | 'readwrite';

/**
 * What a function touches. The AWS stack grants exactly this, and sets exactly the environment
 * variables that name it (TABLE_NAME, EVENT_BUS_NAME, OPENSEARCH_URL, BUCKET_NAME, COGNITO_*).
 */
export interface FunctionAccess {
  table?: Access;
  /** Put events on the Kith bus. */
  bus?: boolean;
  /** The OpenSearch domain (created only when some function declares it). `read` may only search. */
  search?: Access;
  /** The imports/exports bucket (created only when some function declares it). */
  bucket?: Access;
  /** Verifies Cognito tokens: needs the user pool and app client ids, no IAM permission. */
  userPool?: 'verify';
  /**
   * Reads the suppression list's secret salt (GDPR: erased identities are kept only as HMACs
   * under it): a Secrets Manager secret created only when some function declares it.
   */
  suppressionSalt?: 'read';
}

export interface FunctionSpec {
  /** Folder under functions/: `handler.ts` is the Lambda entry, `app.ts` exports `create(services)`. */
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  access: FunctionAccess;
}

export const functions = {
  'http-api': {
    description: 'Every route of the HTTP API',
    memoryMb: 1024,
    timeoutSeconds: 29,
    // The bucket: upload and download links for imports and exports are signed with this role.
    // The salt: erasure suppresses a person's identities, and creates refuse suppressed ones.
    access: { table: 'readwrite', search: 'readwrite', bucket: 'readwrite', suppressionSalt: 'read' },
  },
  authorizer: {
    description: 'Authenticates API keys and Cognito tokens for every route that needs it',
    memoryMb: 512,
    timeoutSeconds: 5,
    access: { table: 'readwrite', userPool: 'verify' },
  },
  reminders: {
    description: 'Fires due task reminders, each exactly once, from a sparse index by minute',
    memoryMb: 512,
    timeoutSeconds: 60,
    access: { table: 'readwrite' },
  },
  'timeline-recorder': {
    description: 'Writes system timeline entries for contact events: stage changes and merges',
    memoryMb: 256,
    timeoutSeconds: 30,
    access: { table: 'readwrite' },
  },
  'webhook-dispatcher': {
    description: 'Delivers domain events to webhook subscriptions, signed, and retries failed deliveries',
    memoryMb: 512,
    // A sweep may wait on several slow receivers (15 s each at most).
    timeoutSeconds: 120,
    access: { table: 'readwrite' },
  },
  'search-indexer': {
    description:
      'Indexes each changed contact at its version (tombstones the ones that left search), and the members of changed companies',
    memoryMb: 512,
    timeoutSeconds: 30,
    access: { table: 'read', search: 'readwrite' },
  },
  'stream-publisher': {
    description: 'Enrichment of the change-stream Pipe: DynamoDB stream records in, domain events for the bus out',
    memoryMb: 512,
    timeoutSeconds: 30,
    access: {},
  },
  history: {
    description: 'Field history of contacts and companies: who changed which field from what to what',
    memoryMb: 512,
    timeoutSeconds: 30,
    access: { table: 'readwrite' },
  },
  'workflow-engine': {
    description: 'Runs workflows: on contact changes, and every 15 minutes for time triggers and runs to resume',
    memoryMb: 1024,
    // A scheduled evaluation may start many runs, each of which may wait on a slow webhook receiver.
    timeoutSeconds: 300,
    access: { table: 'readwrite', search: 'read' },
  },
  dedup: {
    description: 'Keeps duplicate suggestions current on every contact change, and audits the whole table daily',
    // The audit holds every contact's match profile in memory: ~1 KB each.
    memoryMb: 1769,
    timeoutSeconds: 900,
    access: { table: 'readwrite' },
  },
  'import-worker': {
    description: 'Runs import jobs: reads the uploaded file, writes contacts, checkpoints, re-triggers itself',
    memoryMb: 2048,
    timeoutSeconds: 900,
    // The salt: rows of erased people are skipped by their suppressed identities.
    access: { table: 'readwrite', bucket: 'readwrite', suppressionSalt: 'read' },
  },
  'export-worker': {
    description: 'Runs export jobs: streams the selected contacts into a CSV, JSON lines or vCard file',
    memoryMb: 1024,
    timeoutSeconds: 900,
    // Search: a segment or a filter is walked through the search index. The salt: records of
    // people erased while the export ran are recognised by their suppressed identities.
    access: { table: 'readwrite', bucket: 'readwrite', search: 'read', suppressionSalt: 'read' },
  },
  'job-sweeper': {
    description: 'Re-dispatches import and export jobs whose worker died',
    memoryMb: 256,
    timeoutSeconds: 60,
    access: { table: 'readwrite' },
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

/**
 * The two functions the HTTP API itself calls: the authorizer in front of every non-public
 * route, and the function behind `$default` (unknown paths and methods get problem+json 404/405).
 */
export const gateway = {
  authorizer: 'authorizer',
  fallback: 'http-api',
} as const satisfies { authorizer: FunctionName; fallback: FunctionName };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway path syntax: `{id}` is a path parameter. */
  path: string;
  operationId: string;
  function: FunctionName;
  /** `public` routes skip the authorizer; all others require this permission. */
  permission: Permission | 'public';
}

const api = (method: HttpMethod, path: string, operationId: string, permission: RouteSpec['permission']): RouteSpec => ({
  method,
  path,
  operationId,
  function: 'http-api',
  permission,
});

export const routes: readonly RouteSpec[] = [
  api('GET', '/health', 'health', 'public'),
  api('GET', '/v1/openapi.json', 'openApiDocument', 'public'),
  api('GET', '/docs', 'apiDocsPage', 'public'),
  api('GET', '/v1/me', 'whoAmI', 'crm:read'),

  api('POST', '/v1/contacts', 'createContact', 'crm:write'),
  api('GET', '/v1/contacts', 'listContacts', 'crm:read'),
  api('POST', '/v1/contacts/batch', 'batchContacts', 'crm:write'),
  api('GET', '/v1/contacts/{id}', 'getContact', 'crm:read'),
  api('PATCH', '/v1/contacts/{id}', 'updateContact', 'crm:write'),
  api('DELETE', '/v1/contacts/{id}', 'archiveContact', 'crm:manage'),
  api('POST', '/v1/contacts/{id}/restore', 'restoreContact', 'crm:manage'),
  api('POST', '/v1/contacts/{id}/tags', 'tagContact', 'crm:write'),
  api('GET', '/v1/contacts/{id}/history', 'listContactHistory', 'crm:read'),
  api('POST', '/v1/contacts/{id}/erase', 'eraseContact', 'admin'),
  api('GET', '/v1/contacts/{id}/export', 'exportContactData', 'crm:manage'),
  api('POST', '/v1/contacts/{id}/consent', 'recordConsent', 'crm:write'),

  api('POST', '/v1/contacts/search', 'searchContacts', 'crm:read'),

  api('POST', '/v1/segments', 'createSegment', 'crm:manage'),
  api('GET', '/v1/segments', 'listSegments', 'crm:read'),
  api('GET', '/v1/segments/{id}', 'getSegment', 'crm:read'),
  api('PATCH', '/v1/segments/{id}', 'updateSegment', 'crm:manage'),
  api('DELETE', '/v1/segments/{id}', 'deleteSegment', 'crm:manage'),
  api('GET', '/v1/segments/{id}/contacts', 'listSegmentContacts', 'crm:read'),

  api('POST', '/v1/admin/reindex', 'reindexSearch', 'admin'),
  api('POST', '/v1/contacts/{id}/activities', 'logActivity', 'crm:write'),
  api('GET', '/v1/contacts/{id}/activities', 'listActivities', 'crm:read'),
  api('GET', '/v1/contacts/{id}/activities/{activityId}', 'getActivity', 'crm:read'),
  api('PATCH', '/v1/contacts/{id}/activities/{activityId}', 'updateActivity', 'crm:write'),
  api('DELETE', '/v1/contacts/{id}/activities/{activityId}', 'deleteActivity', 'crm:write'),

  api('POST', '/v1/contacts/{id}/relationships', 'connectContacts', 'crm:write'),
  api('GET', '/v1/contacts/{id}/relationships', 'listRelationships', 'crm:read'),
  api('GET', '/v1/contacts/{id}/relationships/{type}/{otherId}', 'getRelationship', 'crm:read'),
  api('DELETE', '/v1/contacts/{id}/relationships/{type}/{otherId}', 'disconnectContacts', 'crm:write'),
  api('GET', '/v1/contacts/{id}/introductions', 'findIntroductions', 'crm:read'),

  api('POST', '/v1/companies', 'createCompany', 'crm:write'),
  api('GET', '/v1/companies', 'listCompanies', 'crm:read'),
  api('GET', '/v1/companies/{id}', 'getCompany', 'crm:read'),
  api('PATCH', '/v1/companies/{id}', 'updateCompany', 'crm:write'),
  api('DELETE', '/v1/companies/{id}', 'archiveCompany', 'crm:manage'),
  api('GET', '/v1/companies/{id}/contacts', 'listCompanyContacts', 'crm:read'),
  api('GET', '/v1/companies/{id}/history', 'listCompanyHistory', 'crm:read'),

  api('POST', '/v1/tasks', 'createTask', 'crm:write'),
  api('GET', '/v1/tasks', 'listTasks', 'crm:read'),
  api('GET', '/v1/tasks/{id}', 'getTask', 'crm:read'),
  api('PATCH', '/v1/tasks/{id}', 'updateTask', 'crm:write'),
  api('DELETE', '/v1/tasks/{id}', 'deleteTask', 'crm:write'),
  api('POST', '/v1/tasks/{id}/complete', 'completeTask', 'crm:write'),

  api('POST', '/v1/fields', 'createField', 'schema:manage'),
  api('GET', '/v1/fields', 'listFields', 'crm:read'),
  api('GET', '/v1/fields/{key}', 'getField', 'crm:read'),
  api('PATCH', '/v1/fields/{key}', 'updateField', 'schema:manage'),
  api('DELETE', '/v1/fields/{key}', 'deleteField', 'schema:manage'),

  api('POST', '/v1/webhooks', 'createWebhook', 'schema:manage'),
  api('GET', '/v1/webhooks', 'listWebhooks', 'schema:manage'),
  api('GET', '/v1/webhooks/{id}', 'getWebhook', 'schema:manage'),
  api('PATCH', '/v1/webhooks/{id}', 'updateWebhook', 'schema:manage'),
  api('DELETE', '/v1/webhooks/{id}', 'deleteWebhook', 'schema:manage'),
  api('POST', '/v1/webhooks/{id}/rotate-secret', 'rotateWebhookSecret', 'schema:manage'),
  api('GET', '/v1/webhooks/{id}/deliveries', 'listWebhookDeliveries', 'schema:manage'),

  api('POST', '/v1/workflows', 'createWorkflow', 'schema:manage'),
  api('GET', '/v1/workflows', 'listWorkflows', 'crm:read'),
  api('GET', '/v1/workflows/{id}', 'getWorkflow', 'crm:read'),
  api('PATCH', '/v1/workflows/{id}', 'updateWorkflow', 'schema:manage'),
  api('DELETE', '/v1/workflows/{id}', 'deleteWorkflow', 'schema:manage'),
  api('POST', '/v1/workflows/{id}/rotate-secret', 'rotateWorkflowSecret', 'schema:manage'),
  api('GET', '/v1/workflows/{id}/runs', 'listWorkflowRuns', 'crm:read'),
  api('GET', '/v1/workflows/{id}/deliveries', 'listWorkflowDeliveries', 'schema:manage'),

  api('POST', '/v1/contacts/{id}/merge', 'mergeContacts', 'crm:manage'),
  api('GET', '/v1/duplicates', 'listDuplicates', 'crm:read'),
  api('GET', '/v1/duplicates/{id}', 'getDuplicate', 'crm:read'),
  api('POST', '/v1/duplicates/{id}/dismiss', 'dismissDuplicate', 'crm:write'),
  api('POST', '/v1/admin/dedup/audit', 'auditDuplicates', 'crm:manage'),

  api('POST', '/v1/imports', 'createImport', 'crm:manage'),
  api('GET', '/v1/imports', 'listImports', 'crm:manage'),
  api('GET', '/v1/imports/{id}', 'getImport', 'crm:manage'),
  api('POST', '/v1/imports/{id}/start', 'startImport', 'crm:manage'),
  api('POST', '/v1/imports/{id}/cancel', 'cancelImport', 'crm:manage'),
  api('GET', '/v1/imports/{id}/errors', 'importErrorReport', 'crm:manage'),

  api('POST', '/v1/exports', 'createExport', 'crm:manage'),
  api('GET', '/v1/exports', 'listExports', 'crm:manage'),
  api('GET', '/v1/exports/{id}', 'getExport', 'crm:manage'),
  api('POST', '/v1/exports/{id}/cancel', 'cancelExport', 'crm:manage'),
  api('GET', '/v1/exports/{id}/download', 'downloadExport', 'crm:manage'),

  api('POST', '/v1/api-keys', 'createApiKey', 'admin'),
  api('GET', '/v1/api-keys', 'listApiKeys', 'admin'),
  api('DELETE', '/v1/api-keys/{id}', 'revokeApiKey', 'admin'),

  api('GET', '/v1/admin/dead-letters', 'listDeadLetters', 'admin'),
  api('POST', '/v1/admin/dead-letters/redrive', 'redriveDeadLetters', 'admin'),
];

export interface SubscriptionSpec {
  /** Unique, kebab-case: names the rule, its dead-letter queue and its alarm. */
  name: string;
  function: FunctionName;
  /**
   * EventBridge pattern syntax (shared/events/pattern.ts lists what both runtimes support):
   * the CDK stack passes it to EventBridge unchanged and the local bus matches it the same way.
   */
  pattern: EventPattern;
  description: string;
}

export interface ScheduleSpec {
  name: string;
  function: FunctionName;
  /** EventBridge Scheduler expression, e.g. `rate(1 minute)` or `cron(0 3 * * ? *)`. */
  expression: string;
  description: string;
}

/**
 * The table's change stream → EventBridge: one Pipe reads the stream (never more than one
 * reader per shard), `enrichment` turns records into domain events, the bus fans them out.
 * Locally the poller reads the same stream and calls the same function with the same batches.
 */
export interface ChangeStreamSpec {
  enrichment: FunctionName;
  /** Records per enrichment call. */
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  startingPosition: 'LATEST';
  /** Bounded, so one poison batch cannot block its shard for the stream's 24 h retention. */
  maximumRetryAttempts: number;
  maximumRecordAgeSeconds: number;
  onPartialBatchItemFailure: 'AUTOMATIC_BISECT';
}

export const changeStream: ChangeStreamSpec = {
  enrichment: 'stream-publisher',
  // An event bus takes at most 10 entries per Pipe batch (a larger source batch is refused, and
  // an enrichment answer longer than 10 is never delivered); the publisher answers at most one
  // entry per record, so 10 records a batch is the ceiling.
  batchSize: 10,
  maximumBatchingWindowSeconds: 1,
  startingPosition: 'LATEST',
  maximumRetryAttempts: 10,
  maximumRecordAgeSeconds: 24 * 60 * 60,
  onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
};

/**
 * How every consumer (subscription target or schedule) is invoked: asynchronously, with this
 * many attempts in all, then into its dead-letter queue. In AWS that is the function's async
 * invoke config (retries = maxAttempts - 1, at most 2) with an SQS on-failure destination.
 */
export const eventDelivery = {
  maxAttempts: 3,
  maximumEventAgeSeconds: 6 * 60 * 60,
} as const;

/** Event → function, declared once for both runtimes. */
export const subscriptions: readonly SubscriptionSpec[] = [
  {
    name: 'search-indexer-contacts',
    function: 'search-indexer',
    pattern: { source: ['kith'], 'detail-type': [{ prefix: 'contact.' }] },
    description: 'Every contact change reaches the search index (created, updated, archived, merged, restored, erased, deleted)',
  },
  {
    name: 'search-indexer-companies',
    function: 'search-indexer',
    pattern: { source: ['kith'], 'detail-type': [{ prefix: 'company.' }] },
    description: "A company change re-indexes its members, whose documents carry the company's name",
  },
  {
    name: 'timeline-stage-changes',
    function: 'timeline-recorder',
    pattern: { source: ['kith'], 'detail-type': ['contact.updated'], detail: { changedFields: ['lifecycleStage'] } },
    description: "Record a contact's lifecycle stage changes on its timeline",
  },
  {
    name: 'timeline-merges',
    function: 'timeline-recorder',
    pattern: { source: ['kith'], 'detail-type': ['contact.merged'] },
    description: 'Record on the survivor that another contact was merged into it',
  },
  {
    name: 'webhook-delivery',
    function: 'webhook-dispatcher',
    // Every domain event: which ones go where is data (each subscription's `events`), not wiring.
    pattern: { source: ['kith'] },
    description: 'Deliver each domain event to the webhooks subscribed to its type',
  },
  {
    name: 'field-history',
    function: 'history',
    description: 'Records every field change of contacts and companies (deletions keep no history)',
    pattern: {
      source: ['kith'],
      'detail-type': [{ 'anything-but': ['contact.deleted', 'company.deleted'] }],
      detail: { entity: ['contact', 'company'] },
    },
  },
  {
    name: 'workflow-contact-changes',
    function: 'workflow-engine',
    pattern: {
      source: ['kith'],
      'detail-type': ['contact.created', 'contact.updated', 'contact.restored', 'contact.archived', 'contact.merged'],
    },
    description: 'Run the workflows a contact change sets off, and keep segment memberships current for segment_entered',
  },
  {
    name: 'dedup-contact-changes',
    function: 'dedup',
    pattern: { source: ['kith'], 'detail-type': [{ prefix: 'contact.' }] },
    description: 'Re-match a contact whose identity changed; withdraw suggestions of archived and merged ones',
  },
  {
    name: 'import-worker',
    function: 'import-worker',
    // `dispatch` changes when an import is started, re-triggers itself, or is swept.
    pattern: { source: ['kith'], 'detail-type': ['import_job.updated'], detail: { changedFields: ['dispatch'] } },
    description: 'Runs an import job whenever it is dispatched',
  },
  {
    name: 'export-worker-created',
    function: 'export-worker',
    pattern: { source: ['kith'], 'detail-type': ['export_job.created'] },
    description: 'Runs a new export job',
  },
  {
    name: 'export-worker-redispatched',
    function: 'export-worker',
    pattern: { source: ['kith'], 'detail-type': ['export_job.updated'], detail: { changedFields: ['dispatch'] } },
    description: 'Runs an export job again after its worker died',
  },
];

/** Timed invocations; the function receives `{ schedule, scheduledTime }`. */
export const schedules: readonly ScheduleSpec[] = [
  {
    name: 'task-reminders',
    function: 'reminders',
    expression: 'rate(1 minute)',
    description: 'Fire the task reminders that fell due since the last sweep',
  },
  {
    name: 'webhook-retries',
    function: 'webhook-dispatcher',
    expression: 'rate(1 minute)',
    description: 'Attempt again the webhook deliveries whose retry fell due',
  },
  {
    name: 'workflow-time-triggers',
    function: 'workflow-engine',
    // Time triggers count in days: a quarter of an hour is fine resolution, and each evaluation
    // reads only the contacts whose threshold passed since the last one (a checkpoint per workflow).
    expression: 'rate(15 minutes)',
    description: 'Evaluate inactivity and date_approaching triggers, and resume runs whose process died',
  },
  {
    name: 'dedup-daily-audit',
    function: 'dedup',
    expression: 'cron(30 3 * * ? *)',
    description: 'Whole-table duplicate audit: finds what per-change matching missed and repairs the blocking index',
  },
  {
    name: 'job-sweeper',
    function: 'job-sweeper',
    expression: 'rate(5 minutes)',
    description: 'Re-dispatches import and export jobs whose lease ran out',
  },
];

/** The API Gateway route key of a route, e.g. `GET /v1/contacts/{id}`. */
export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
