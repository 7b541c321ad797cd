import type { CountryCode } from 'libphonenumber-js';
import { systemClock, type Clock } from '../domain/clock.ts';
import { createStore, storeConfigFromEnv, type Store } from '../store/client.ts';
import type { Factories } from './container.ts';

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

/** What every container starts from: the table, the clock and the settings. */
export interface Foundation {
  store: Store;
  clock: Clock;
  settings: Settings;
}

/** A Lambda's foundation, from the environment the stack gives it (TABLE_NAME, AWS_REGION, KITH_*). */
export function foundationFromEnv(env: NodeJS.ProcessEnv = process.env): Factories<Foundation> {
  return {
    store: () => createStore(storeConfigFromEnv(env)),
    clock: () => systemClock,
    settings: () => settingsFromEnv(env),
  };
}
