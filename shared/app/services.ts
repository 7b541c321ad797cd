import type { CountryCode } from 'libphonenumber-js';
import { systemClock, type Clock } from '../domain/clock.ts';
import { createStore, storeConfigFromEnv, type Store } from '../store/client.ts';
import { ContactRepository } from '../store/contacts.ts';
import { CompanyRepository } from '../store/companies.ts';
import { FieldDefinitionRepository } from '../store/fields.ts';
import { ApiKeyRepository } from '../store/api-keys.ts';
import { IdempotencyRepository } from '../store/idempotency.ts';
import { SegmentRepository } from '../store/segments.ts';
import { EmbeddedContactIndex } from '../search/embedded.ts';
import { OpenSearchContactIndex, openSearchConfigFromEnv } from '../search/opensearch.ts';
import type { ContactSearchIndex } from '../search/port.ts';
import { ContactService } from './contacts.ts';
import { CompanyService } from './companies.ts';
import { ContactSearchService } from './search.ts';
import { SegmentService } from './segments.ts';
import { DedupIndexRepository, DuplicateRepository } from '../store/duplicates.ts';
import { MergeRepository } from '../store/merges.ts';
import { HistoryRepository } from '../store/history.ts';
import { unavailableDeadLetterQueue, type DeadLetterQueue } from '../events/dead-letters.ts';
import { FieldHistoryService } from './history.ts';
import { DuplicateService } from './duplicates.ts';
import { MergeService, type MergeParticipant } from './merge.ts';
import {
  activitiesParticipant,
  claimsParticipant,
  duplicatesParticipant,
  historyParticipant,
  membershipParticipant,
  relationshipsParticipant,
  tasksParticipant,
} from './merge-participants.ts';
import { ActivityRepository } from '../store/activities.ts';
import { RelationshipRepository } from '../store/relationships.ts';
import { TaskRepository } from '../store/tasks.ts';
import { DueIndex } from '../store/due.ts';
import { LIMITS } from '../domain/limits.ts';
import { TimelineService } from './timeline.ts';
import { RelationshipService } from './relationships.ts';
import { TaskService } from './tasks.ts';
import { ReminderService } from './reminders.ts';
import { WebhookDispatcher, WebhookService } from './webhooks.ts';
import { DeliveryRepository, WebhookRepository } from '../store/webhooks.ts';
import { createWebhookSender, type WebhookSender } from '../events/webhook-sender.ts';
import { SegmentMemberRepository, WorkflowRepository, WorkflowRunRepository } from '../store/workflows.ts';
import { WorkflowEngine, WorkflowService } from './workflows.ts';
import { WorkflowActions } from './workflow-actions.ts';
import { JobRepository } from '../store/jobs.ts';
import { SuppressionRepository } from '../store/suppressions.ts';
import type { BlobStorage } from '../blobs/blob-storage.ts';
import { blobStorageFromEnv } from '../blobs/from-env.ts';
import { ImportService } from './imports.ts';
import { ExportService } from './exports.ts';
import { ErasureService, type ErasureParticipant } from './erasure.ts';
import { ConsentService } from './consent.ts';
import { PersonalDataService } from './personal-data.ts';
import {
  deadLettersParticipant,
  deliveriesParticipant,
  duplicatesParticipant as duplicatesErasure,
  jobsParticipant,
  mergesParticipant,
  partitionParticipant,
  recordsParticipant,
  searchParticipant,
  suppressionsParticipant,
  workflowsParticipant,
} from './erasure-participants.ts';
import { ErasureRepository } from '../store/erasures.ts';
import { ephemeralSecret, suppressionSaltFromEnv, type SecretSource } from '../secrets/salt.ts';

export interface Settings {
  /** Region in which phone numbers without a country code are read. */
  defaultPhoneRegion: CountryCode;
  /** How long a job worker's lease lasts between checkpoints (LIMITS.jobLeaseMs unless set). */
  jobLeaseMs?: number;
  /** Transactions an import worker runs at once (LIMITS.importWriteConcurrency unless set). */
  importConcurrency?: number;
  /** Rows between an import's checkpoints (LIMITS.importChunkRows unless set). */
  importChunkRows?: number;
  /**
   * Let webhooks reach loopback and private addresses. Off in AWS (SSRF: the metadata service,
   * the VPC); the local runtime turns it on so a receiver on localhost works.
   */
  allowPrivateWebhookTargets?: boolean;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const region = (env.KITH_DEFAULT_PHONE_REGION ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(region)) throw new Error(`KITH_DEFAULT_PHONE_REGION must be a two-letter region, not ${region}`);
  const lease = env.KITH_JOB_LEASE_SECONDS ? Number(env.KITH_JOB_LEASE_SECONDS) * 1000 : undefined;
  const concurrency = env.KITH_IMPORT_CONCURRENCY ? Number(env.KITH_IMPORT_CONCURRENCY) : undefined;
  if (lease !== undefined && !(lease > 0)) throw new Error('KITH_JOB_LEASE_SECONDS must be a positive number');
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new Error('KITH_IMPORT_CONCURRENCY must be a positive integer');
  }
  const chunkRows = env.KITH_IMPORT_CHUNK_ROWS ? Number(env.KITH_IMPORT_CHUNK_ROWS) : undefined;
  if (chunkRows !== undefined && !(Number.isInteger(chunkRows) && chunkRows > 0)) {
    throw new Error('KITH_IMPORT_CHUNK_ROWS must be a positive integer');
  }
  return {
    defaultPhoneRegion: region as CountryCode,
    jobLeaseMs: lease,
    importConcurrency: concurrency,
    importChunkRows: chunkRows,
    allowPrivateWebhookTargets: ['1', 'true'].includes(env.KITH_WEBHOOKS_ALLOW_PRIVATE_NETWORKS ?? ''),
  };
}

/**
 * Everything a function needs, built once per process (module scope in Lambda, once per
 * runtime locally). Functions receive it; they never build clients themselves.
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
  /** Consent per channel, with its proof on the timeline and in field history. */
  consent: ConsentService;
  /** The portability export: everything held about a person. */
  personalData: PersonalDataService;
}

/**
 * Every kind of item that belongs to a contact and how a merge moves it, in order. Add yours
 * here (activities, relationship edges, tasks …); see MergeParticipant for the contract.
 */
export function mergeParticipants(
  services: () => Pick<Services, 'duplicates' | 'timeline' | 'relationships' | 'tasks'>,
): MergeParticipant[] {
  return [
    claimsParticipant,
    membershipParticipant,
    historyParticipant,
    activitiesParticipant(() => services().timeline),
    relationshipsParticipant(() => services().relationships),
    tasksParticipant(() => services().tasks),
    duplicatesParticipant(() => services().duplicates),
  ];
}

/**
 * Every store that may hold something about a person, and how erasure clears it, in order: the
 * suppression list first, then the records (reads answer 404 from there on), then everything
 * else. Add yours here (see ErasureParticipant for the contract).
 */
export function erasureParticipants(
  services: () => Pick<
    Services,
    'suppressions' | 'contacts' | 'store' | 'duplicates' | 'webhooks' | 'search' | 'jobs' | 'blobs' | 'deadLetters' | 'segments'
  >,
): ErasureParticipant[] {
  return [
    suppressionsParticipant(() => services().suppressions),
    recordsParticipant(() => services().contacts.repository),
    partitionParticipant(() => services().store),
    duplicatesErasure(() => services().duplicates),
    mergesParticipant(() => services().store),
    workflowsParticipant(() => services()),
    deliveriesParticipant(() => services().webhooks.deliveries),
    searchParticipant(() => services().search),
    jobsParticipant(() => services()),
    deadLettersParticipant(() => services().deadLetters),
  ];
}

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
  const clock = deps.clock ?? systemClock;
  const blobs = deps.blobs ?? blobStorageFromEnv();
  const jobs = new JobRepository(deps.store, clock);
  const suppressions = new SuppressionRepository(deps.store, clock, deps.suppressionSalt ?? ephemeralSecret());
  const fields = new FieldDefinitionRepository(deps.store, clock);
  const contactRepository = new ContactRepository(deps.store, clock);
  const contacts = new ContactService(contactRepository, fields, deps.settings, suppressions);
  const timeline = new TimelineService({ store: deps.store, repository: new ActivityRepository(deps.store), contacts, clock });
  const taskRepository = new TaskRepository(deps.store);
  const relationships = new RelationshipService({
    store: deps.store,
    repository: new RelationshipRepository(deps.store),
    contacts,
    clock,
  });
  const tasks = new TaskService({ store: deps.store, repository: taskRepository, contacts, timeline, clock });
  const deliveries = new DeliveryRepository(deps.store);
  const workflowRepository = new WorkflowRepository(deps.store);
  const workflowRuns = new WorkflowRunRepository(deps.store);
  const segmentRepository = new SegmentRepository(deps.store, clock);
  const webhooks = new WebhookService({
    repository: new WebhookRepository(deps.store),
    deliveries,
    clock,
    allowPrivateNetworks: deps.settings.allowPrivateWebhookTargets ?? false,
  });
  const companyRepository = new CompanyRepository(deps.store, clock);
  const search = new ContactSearchService({
    index: deps.searchIndex?.(fields) ?? new EmbeddedContactIndex(),
    contacts: contactRepository,
    companies: companyRepository,
    fields,
    clock,
    settings: deps.settings,
  });
  const duplicates = new DuplicateService({
    store: deps.store,
    pairs: new DuplicateRepository(deps.store),
    index: new DedupIndexRepository(deps.store),
    contacts: contactRepository,
    companies: companyRepository,
    settings: deps.settings,
    clock,
  });
  const merges = new MergeService({
    contacts: contactRepository,
    merges: new MergeRepository(deps.store),
    participants: [
      ...mergeParticipants(() => ({ duplicates, timeline, relationships, tasks })),
      ...(deps.extraMergeParticipants ?? []),
    ],
    store: deps.store,
    clock,
  });
  const webhookDispatcher = new WebhookDispatcher({
    webhooks,
    deliveries,
    index: new DueIndex(deps.store, 'RETRY', LIMITS.dueShards),
    sender:
      deps.webhookSender ?? createWebhookSender({ allowPrivateNetworks: deps.settings.allowPrivateWebhookTargets ?? false }),
    clock,
    workflowSecret: async (id) => (await workflowRepository.get(id))?.secret,
  });
  const services: Services = {
    store: deps.store,
    clock,
    settings: deps.settings,
    contacts,
    companies: new CompanyService(companyRepository, contactRepository, deps.settings),
    fields,
    apiKeys: new ApiKeyRepository(deps.store, clock),
    idempotency: new IdempotencyRepository(deps.store, clock),
    duplicates,
    merges,
    timeline,
    relationships,
    tasks,
    reminders: new ReminderService({ index: new DueIndex(deps.store, 'REMIND', LIMITS.dueShards), tasks: taskRepository, clock }),
    webhooks,
    webhookDispatcher,
    history: new FieldHistoryService(new HistoryRepository(deps.store), {
      contact: async (id) => (await contactRepository.get(id)) !== undefined,
      company: async (id) => (await companyRepository.get(id)) !== undefined,
    }),
    deadLetters: deps.deadLetters ?? unavailableDeadLetterQueue,
    blobs,
    jobs,
    imports: new ImportService(jobs, blobs, clock),
    exports: new ExportService(jobs, blobs, clock, search),
    suppressions,
    search,
    segments: new SegmentService(segmentRepository, search),
    consent: new ConsentService({ contacts, timeline, clock }),
    personalData: new PersonalDataService({ services: () => services, clock }),
    erasures: new ErasureService({
      contacts: contactRepository,
      erasures: new ErasureRepository(deps.store),
      suppressions,
      participants: [...erasureParticipants(() => services), ...(deps.extraErasureParticipants ?? [])],
      store: deps.store,
      clock,
      settings: deps.settings,
    }),
    workflows: new WorkflowService({
      repository: workflowRepository,
      runs: workflowRuns,
      deliveries,
      contacts,
      segments: segmentRepository,
      search,
      webhooks,
      clock,
    }),
    workflowEngine: new WorkflowEngine({
      store: deps.store,
      workflows: workflowRepository,
      runs: workflowRuns,
      members: new SegmentMemberRepository(deps.store),
      segments: segmentRepository,
      contacts,
      search,
      actions: new WorkflowActions({
        store: deps.store,
        workflows: workflowRepository,
        runs: workflowRuns,
        contacts,
        tasks,
        timeline,
        webhooks: webhookDispatcher,
      }),
      clock,
    }),
  };
  return services;
}

/** OpenSearch when OPENSEARCH_URL is set (SigV4 in AWS), else the embedded index. */
export function searchIndexFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return (fields: FieldDefinitionRepository): ContactSearchIndex => {
    const config = openSearchConfigFromEnv(env, () => fields.all());
    return config ? new OpenSearchContactIndex(config) : new EmbeddedContactIndex();
  };
}

export function servicesFromEnv(env: NodeJS.ProcessEnv = process.env): Services {
  return createServices({
    store: createStore(storeConfigFromEnv(env)),
    settings: settingsFromEnv(env),
    searchIndex: searchIndexFromEnv(env),
    suppressionSalt: suppressionSaltFromEnv(env),
  });
}
