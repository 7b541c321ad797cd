import type { CountryCode } from 'libphonenumber-js';
import { systemClock, type Clock } from '../domain/clock.ts';
import { createStore, storeConfigFromEnv, type Store } from '../store/client.ts';
import { ContactRepository } from '../store/contacts.ts';
import { CompanyRepository } from '../store/companies.ts';
import { FieldDefinitionRepository } from '../store/fields.ts';
import { ApiKeyRepository } from '../store/api-keys.ts';
import { IdempotencyRepository } from '../store/idempotency.ts';
import { HistoryRepository } from '../store/history.ts';
import { DedupIndexRepository, DuplicateRepository } from '../store/duplicates.ts';
import { MergeRepository } from '../store/merges.ts';
import { unavailableDeadLetterQueue, type DeadLetterQueue } from '../events/dead-letters.ts';
import { ContactService } from './contacts.ts';
import { CompanyService } from './companies.ts';
import { FieldHistoryService } from './history.ts';
import { DuplicateService } from './duplicates.ts';
import { MergeService, type MergeParticipant } from './merge.ts';
import { claimsParticipant, duplicatesParticipant, historyParticipant, membershipParticipant } from './merge-participants.ts';
import { JobRepository } from '../store/jobs.ts';
import { SuppressionRepository } from '../store/suppressions.ts';
import type { BlobStorage } from '../blobs/blob-storage.ts';
import { blobStorageFromEnv } from '../blobs/from-env.ts';
import { ImportService } from './imports.ts';
import { ExportService } from './exports.ts';

export interface Settings {
  /** Region in which phone numbers without a country code are read. */
  defaultPhoneRegion: CountryCode;
  /** How long a job worker's lease lasts between checkpoints (LIMITS.jobLeaseMs unless set). */
  jobLeaseMs?: number;
  /** Transactions an import worker runs at once (LIMITS.importWriteConcurrency unless set). */
  importConcurrency?: number;
  /** Rows between an import's checkpoints (LIMITS.importChunkRows unless set). */
  importChunkRows?: number;
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
  /** Duplicate suggestions, the dedup consumer's sync, the audit, and matching for imports. */
  duplicates: DuplicateService;
  /** Contact merges; items move through `mergeParticipants`. */
  merges: MergeService;
  /** Field history of contacts and companies (recorded by the history consumer). */
  history: FieldHistoryService;
  /** Failed event and schedule deliveries: local files, or 501 where no adapter exists yet. */
  deadLetters: DeadLetterQueue;
  /** Uploaded imports, exports and error reports: S3 in AWS, a folder locally. */
  blobs: BlobStorage;
  jobs: JobRepository;
  imports: ImportService;
  exports: ExportService;
  /** Erased people's identities, which imports do not bring back. */
  suppressions: SuppressionRepository;
}

/**
 * Every kind of item that belongs to a contact and how a merge moves it, in order. Add yours
 * here (activities, relationship edges, tasks …); see MergeParticipant for the contract.
 */
export function mergeParticipants(services: () => Pick<Services, 'duplicates'>): MergeParticipant[] {
  return [claimsParticipant, membershipParticipant, historyParticipant, duplicatesParticipant(() => services().duplicates)];
}

export function createServices(deps: {
  store: Store;
  clock?: Clock;
  settings: Settings;
  /** Extra merge participants after the built-in ones (tests, plug-ins). */
  extraMergeParticipants?: MergeParticipant[];
  /** The runtime's dead letters (the local runtime passes its own); 501 without. */
  deadLetters?: DeadLetterQueue;
  /** Blob storage; from the environment (S3 bucket, or a local folder) when absent. */
  blobs?: BlobStorage;
}): Services {
  const clock = deps.clock ?? systemClock;
  const blobs = deps.blobs ?? blobStorageFromEnv();
  const jobs = new JobRepository(deps.store, clock);
  const fields = new FieldDefinitionRepository(deps.store, clock);
  const contactRepository = new ContactRepository(deps.store, clock);
  const companyRepository = new CompanyRepository(deps.store, clock);
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
    participants: [...mergeParticipants(() => ({ duplicates })), ...(deps.extraMergeParticipants ?? [])],
    store: deps.store,
    clock,
  });
  return {
    store: deps.store,
    clock,
    settings: deps.settings,
    contacts: new ContactService(contactRepository, fields, deps.settings),
    companies: new CompanyService(companyRepository, contactRepository, deps.settings),
    fields,
    apiKeys: new ApiKeyRepository(deps.store, clock),
    idempotency: new IdempotencyRepository(deps.store, clock),
    duplicates,
    merges,
    history: new FieldHistoryService(new HistoryRepository(deps.store), {
      contact: async (id) => (await contactRepository.get(id)) !== undefined,
      company: async (id) => (await companyRepository.get(id)) !== undefined,
    }),
    deadLetters: deps.deadLetters ?? unavailableDeadLetterQueue,
    blobs,
    jobs,
    imports: new ImportService(jobs, blobs, clock),
    exports: new ExportService(jobs, blobs, clock),
    suppressions: new SuppressionRepository(deps.store, clock),
  };
}

export function servicesFromEnv(env: NodeJS.ProcessEnv = process.env): Services {
  return createServices({ store: createStore(storeConfigFromEnv(env)), settings: settingsFromEnv(env) });
}
