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

export interface Settings {
  /** Region in which phone numbers without a country code are read. */
  defaultPhoneRegion: CountryCode;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const region = (env.KITH_DEFAULT_PHONE_REGION ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(region)) throw new Error(`KITH_DEFAULT_PHONE_REGION must be a two-letter region, not ${region}`);
  return { defaultPhoneRegion: region as CountryCode };
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
}

export function createServices(deps: {
  store: Store;
  clock?: Clock;
  settings: Settings;
  /** Builds the search index; the in-memory embedded index when absent. */
  searchIndex?: (fields: FieldDefinitionRepository) => ContactSearchIndex;
}): Services {
  const clock = deps.clock ?? systemClock;
  const fields = new FieldDefinitionRepository(deps.store, clock);
  const contactRepository = new ContactRepository(deps.store, clock);
  const search = new ContactSearchService({
    index: deps.searchIndex?.(fields) ?? new EmbeddedContactIndex(),
    contacts: contactRepository,
    fields,
    clock,
    settings: deps.settings,
  });
  return {
    store: deps.store,
    clock,
    settings: deps.settings,
    contacts: new ContactService(contactRepository, fields, deps.settings),
    companies: new CompanyService(new CompanyRepository(deps.store, clock), contactRepository, deps.settings),
    fields,
    apiKeys: new ApiKeyRepository(deps.store, clock),
    idempotency: new IdempotencyRepository(deps.store, clock),
    search,
    segments: new SegmentService(new SegmentRepository(deps.store, clock), search),
  };
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
  });
}
