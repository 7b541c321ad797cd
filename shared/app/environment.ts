import type { CountryCode } from 'libphonenumber-js';
import { systemClock, type Clock } from '../domain/clock.ts';
import { createStore, storeConfigFromEnv, type Store } from '../store/client.ts';
import type { Factories } from './container.ts';

export interface Settings {
  /** Region in which phone numbers without a country code are read. */
  defaultPhoneRegion: CountryCode;
  /**
   * Let webhooks reach loopback and private addresses. Off in AWS (SSRF: the metadata service,
   * the VPC); the local runtime turns it on so a receiver on localhost works.
   */
  allowPrivateWebhookTargets?: boolean;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const region = (env.KITH_DEFAULT_PHONE_REGION ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(region)) throw new Error(`KITH_DEFAULT_PHONE_REGION must be a two-letter region, not ${region}`);
  return {
    defaultPhoneRegion: region as CountryCode,
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
