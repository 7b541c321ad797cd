import { createStore, storeConfigFromEnv, type Store } from '../store/client.ts';
import type { Clock } from '../domain/clock.ts';
import { systemClock } from '../domain/clock.ts';
import type { ApiKeyRepository } from '../store/api-keys.ts';
import type { CompanyRepository } from '../store/companies.ts';
import type { ContactRepository } from '../store/contacts.ts';
import type { FieldDefinitionRepository } from '../store/fields.ts';
import type { IdempotencyRepository } from '../store/idempotency.ts';
import type { TaskRepository } from '../store/tasks.ts';
import type { DeliveryRepository, WebhookRepository } from '../store/webhooks.ts';
import type { JobRepository } from '../store/jobs.ts';
import type { SegmentRepository } from '../store/segments.ts';
import type { SegmentMemberRepository, WorkflowRepository, WorkflowRunRepository } from '../store/workflows.ts';
import type { SuppressionRepository } from '../store/suppressions.ts';
import type { BlobLinks, BlobStorage } from '../blobs/blob-storage.ts';
import { blobStorageFromEnv } from '../blobs/from-env.ts';
import { EmbeddedContactIndex } from '../search/embedded.ts';
import type { ContactSearchIndex } from '../search/port.ts';
import { unavailableDeadLetterQueue, type DeadLetterQueue } from '../events/dead-letters.ts';
import type { WebhookSender } from '../events/webhook-sender.ts';
import type { PhoneReader } from '../domain/dedup/identity.ts';
import { typedPhone } from '../domain/dedup/typed-phone.ts';
import { assemble } from './container.ts';
import { openSearchIndexFromEnv } from './search-index.ts';
import { settingsFromEnv, type Settings } from './environment.ts';
import {
  apiKeys,
  companyRepository,
  contactRepository,
  fieldDefinitions,
  idempotencyRecords,
  jobRepository,
  segmentMemberRepository,
  segmentRepository,
  suppressionRepository,
  taskRepository,
  webhookDeliveries,
  webhookRepository,
  workflowRepository,
  workflowRunRepository,
} from './repositories.ts';
import { ContactService, contactService } from './contacts.ts';
import { CompanyService, companyService } from './companies.ts';
import { ContactSearchService, contactSearchService } from './search.ts';
import { SegmentService, segmentService } from './segments.ts';
import { FieldHistoryService, fieldHistoryService } from './history.ts';
import { DuplicateService, duplicateService } from './duplicates.ts';
import { MergeService, mergeService, type MergeParticipant } from './merge.ts';
import { builtInMergeParticipants, mergeParticipants } from './merge-participants.ts';
import { TimelineService, timelineService } from './timeline.ts';
import { ErasureLog, ErasureService, erasureLog, erasureService, type ErasureParticipant } from './erasure.ts';
import { builtInErasureParticipants } from './erasure-participants.ts';
import { ConsentService, consentService } from './consent.ts';
import { PersonalDataService, personalDataService } from './personal-data.ts';
import { ephemeralSecret, suppressionSaltFromEnv, type SecretSource } from '../secrets/salt.ts';
import { RelationshipService, relationshipService } from './relationships.ts';
import { TaskService, taskService } from './tasks.ts';
import { ReminderService, reminderService } from './reminders.ts';
import { WebhookService, webhookService } from './webhooks.ts';
import { WebhookDispatcher, webhookDispatcher, webhookSender } from './webhook-dispatcher.ts';
import { ImportService, importService } from './imports.ts';
import { ExportService, exportService } from './exports.ts';
import { WorkflowEngine, WorkflowService, workflowEngine, workflowService } from './workflows.ts';
import { WorkflowActions, workflowActions } from './workflow-actions.ts';

export { mergeParticipants, settingsFromEnv, type Settings };

/**
 * Everything a function may need, built once per process (module scope in Lambda, once per
 * runtime locally). Functions receive it; they never build clients themselves.
 *
 * A function's `create` asks for the part it uses (`Pick<Services, 'history'>`), its handler.ts
 * assembles exactly that from the factories beside each service, and the local runtime and the
 * tests pass this whole container, a superset.
 */
export interface Services {
  store: Store;
  clock: Clock;
  settings: Settings;
  contacts: ContactService;
  companies: CompanyService;
  fields: FieldDefinitionRepository;
  apiKeys: ApiKeyRepository;
  idempotency: IdempotencyRepository;
  /** Contact search over the search index port (OpenSearch when OPENSEARCH_URL is set, embedded otherwise). */
  search: ContactSearchService;
  segments: SegmentService;
  /** Activities on a contact's timeline, and the engagement they move. */
  timeline: TimelineService;
  /** Typed ties between contacts and the introductions they open. */
  relationships: RelationshipService;
  tasks: TaskService;
  /** Fires due task reminders; the `reminders` schedule drives it. */
  reminders: ReminderService;
  /** Webhook subscriptions and their delivery log. */
  webhooks: WebhookService;
  /** Delivers events to subscriptions and retries failed deliveries. */
  webhookDispatcher: WebhookDispatcher;
  /** Duplicate suggestions, the dedup consumer's sync, the audit, and matching for imports. */
  duplicates: DuplicateService;
  /** Contact merges; items move through `mergeParticipants`. */
  merges: MergeService;
  /** Field history of contacts and companies (recorded by the history consumer). */
  history: FieldHistoryService;
  /** Failed event and schedule deliveries: local files, or 501 where no adapter exists yet. */
  deadLetters: DeadLetterQueue;
  /** Workflow definitions and their runs. */
  workflows: WorkflowService;
  /** Runs workflows on contact changes and on time; the `workflow-engine` function drives it. */
  workflowEngine: WorkflowEngine;
  /** Uploaded imports, exports and error reports: S3 in AWS, a folder locally. */
  blobs: BlobStorage;
  jobs: JobRepository;
  imports: ImportService;
  exports: ExportService;
  /** Erased people's identities (salted hashes), which imports and creates do not bring back. */
  suppressions: SuppressionRepository;
  /** GDPR erasure; stores take part through `erasureParticipants`. */
  erasures: ErasureService;
  /** Who was erased, for job workers to scrub what they wrote meanwhile (a part of `erasures`). */
  erasureLog: ErasureLog;
  /** Consent per channel, with its proof on the timeline and in field history. */
  consent: ConsentService;
  /** The portability export: everything held about a person. */
  personalData: PersonalDataService;
}

/**
 * Services plus what several of them share underneath: the parts a container is assembled from.
 * Functions receive Services; these extra parts are for factories.
 */
export interface Parts extends Services {
  contactRepository: ContactRepository;
  companyRepository: CompanyRepository;
  taskRepository: TaskRepository;
  webhookRepository: WebhookRepository;
  webhookDeliveries: DeliveryRepository;
  searchIndex: ContactSearchIndex;
  webhookSender: WebhookSender;
  mergeParticipants: readonly MergeParticipant[];
  /** How duplicate matching reads phones: `typedPhone` wherever records may come as people typed them. */
  phoneReader: PhoneReader;
  /** The links part of `blobs`: the HTTP API hands out links without reading or writing files. */
  blobLinks: BlobLinks;
  segmentRepository: SegmentRepository;
  workflowRepository: WorkflowRepository;
  workflowRuns: WorkflowRunRepository;
  segmentMembers: SegmentMemberRepository;
  workflowActions: WorkflowActions;
  /** The suppression list's secret salt, read on first use. */
  suppressionSalt: SecretSource;
  erasureParticipants: readonly ErasureParticipant[];
}

/** What a factory needs, by name: `({ store, clock }: Needs<'store' | 'clock'>) => …`. */
export type Needs<Key extends keyof Parts> = Pick<Parts, Key>;

/** The whole container: the local runtime, the tests and the benchmarks run every function on it. */
export function createServices(deps: {
  store: Store;
  clock?: Clock;
  settings: Settings;
  /** Builds the search index; the in-memory embedded index when absent. */
  searchIndex?: (fields: FieldDefinitionRepository) => ContactSearchIndex;
  webhookSender?: WebhookSender;
  /** Extra merge participants after the built-in ones (tests, plug-ins). */
  extraMergeParticipants?: MergeParticipant[];
  /** The runtime's dead letters (the local runtime passes its own); 501 without. */
  deadLetters?: DeadLetterQueue;
  /** Blob storage; from the environment (S3 bucket, or a local folder) when absent. */
  blobs?: BlobStorage;
  /** The suppression list's secret salt; a fresh one per process when absent (tests). */
  suppressionSalt?: SecretSource;
  /** Extra erasure participants after the built-in ones (tests, plug-ins). */
  extraErasureParticipants?: ErasureParticipant[];
}): Services {
  return assemble<Parts>({
    store: () => deps.store,
    clock: () => deps.clock ?? systemClock,
    settings: () => deps.settings,
    contactRepository,
    companyRepository,
    taskRepository,
    webhookRepository,
    webhookDeliveries,
    fields: fieldDefinitions,
    apiKeys,
    idempotency: idempotencyRecords,
    searchIndex: ({ fields }) => deps.searchIndex?.(fields) ?? new EmbeddedContactIndex(),
    webhookSender: (parts) => deps.webhookSender ?? webhookSender(parts),
    mergeParticipants: (parts) => [...builtInMergeParticipants(parts), ...(deps.extraMergeParticipants ?? [])],
    deadLetters: () => deps.deadLetters ?? unavailableDeadLetterQueue,
    phoneReader: () => typedPhone,
    blobs: () => deps.blobs ?? blobStorageFromEnv(),
    blobLinks: ({ blobs }) => blobs,
    jobs: jobRepository,
    suppressionSalt: () => deps.suppressionSalt ?? ephemeralSecret(),
    suppressions: suppressionRepository,
    erasureParticipants: (parts) => [...builtInErasureParticipants(parts), ...(deps.extraErasureParticipants ?? [])],
    erasures: erasureService,
    erasureLog: ({ erasures }) => erasures,
    consent: consentService,
    personalData: personalDataService,
    imports: importService,
    exports: exportService,
    segmentRepository,
    workflowRepository,
    workflowRuns: workflowRunRepository,
    segmentMembers: segmentMemberRepository,
    workflowActions,
    workflows: workflowService,
    workflowEngine,
    contacts: contactService,
    companies: companyService,
    search: contactSearchService,
    segments: segmentService,
    timeline: timelineService,
    relationships: relationshipService,
    tasks: taskService,
    reminders: reminderService,
    webhooks: webhookService,
    webhookDispatcher,
    duplicates: duplicateService,
    merges: mergeService,
    history: fieldHistoryService,
  });
}

/** OpenSearch when OPENSEARCH_URL is set (SigV4 in AWS), else the embedded index. */
export function searchIndexFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return (fields: FieldDefinitionRepository): ContactSearchIndex => {
    if (!env.OPENSEARCH_URL) return new EmbeddedContactIndex();
    return openSearchIndexFromEnv(env)({ fields });
  };
}

/**
 * The whole container from a Lambda's environment. A function's handler.ts should assemble only
 * what its `create` asks for instead (see functions/history/handler.ts): this one bundles all of Kith.
 */
export function servicesFromEnv(env: NodeJS.ProcessEnv = process.env): Services {
  return createServices({
    store: createStore(storeConfigFromEnv(env)),
    settings: settingsFromEnv(env),
    searchIndex: searchIndexFromEnv(env),
    suppressionSalt: suppressionSaltFromEnv(env),
  });
}
