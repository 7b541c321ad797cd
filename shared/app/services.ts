import type { CountryCode } from 'libphonenumber-js';
import { systemClock, type Clock } from '../domain/clock.ts';
import { createStore, storeConfigFromEnv, type Store } from '../store/client.ts';
import { ContactRepository } from '../store/contacts.ts';
import { CompanyRepository } from '../store/companies.ts';
import { FieldDefinitionRepository } from '../store/fields.ts';
import { ApiKeyRepository } from '../store/api-keys.ts';
import { IdempotencyRepository } from '../store/idempotency.ts';
import { ActivityRepository } from '../store/activities.ts';
import { RelationshipRepository } from '../store/relationships.ts';
import { TaskRepository } from '../store/tasks.ts';
import { DueIndex } from '../store/due.ts';
import { LIMITS } from '../domain/limits.ts';
import { ContactService } from './contacts.ts';
import { CompanyService } from './companies.ts';
import { TimelineService } from './timeline.ts';
import { RelationshipService } from './relationships.ts';
import { TaskService } from './tasks.ts';
import { ReminderService } from './reminders.ts';
import { WebhookDispatcher, WebhookService } from './webhooks.ts';
import { DeliveryRepository, WebhookRepository } from '../store/webhooks.ts';
import { createWebhookSender, type WebhookSender } from '../events/webhook-sender.ts';

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
}

export function createServices(deps: {
  store: Store;
  clock?: Clock;
  settings: Settings;
  webhookSender?: WebhookSender;
}): Services {
  const clock = deps.clock ?? systemClock;
  const fields = new FieldDefinitionRepository(deps.store, clock);
  const contactRepository = new ContactRepository(deps.store, clock);
  const contacts = new ContactService(contactRepository, fields, deps.settings);
  const timeline = new TimelineService({ store: deps.store, repository: new ActivityRepository(deps.store), contacts, clock });
  const tasks = new TaskRepository(deps.store);
  const deliveries = new DeliveryRepository(deps.store);
  const webhooks = new WebhookService({
    repository: new WebhookRepository(deps.store),
    deliveries,
    clock,
    allowPrivateNetworks: deps.settings.allowPrivateWebhookTargets ?? false,
  });
  return {
    store: deps.store,
    clock,
    settings: deps.settings,
    contacts,
    companies: new CompanyService(new CompanyRepository(deps.store, clock), contactRepository, deps.settings),
    fields,
    apiKeys: new ApiKeyRepository(deps.store, clock),
    idempotency: new IdempotencyRepository(deps.store, clock),
    timeline,
    relationships: new RelationshipService({
      store: deps.store,
      repository: new RelationshipRepository(deps.store),
      contacts,
      clock,
    }),
    tasks: new TaskService({ store: deps.store, repository: tasks, contacts, timeline, clock }),
    reminders: new ReminderService({ index: new DueIndex(deps.store, 'REMIND', LIMITS.dueShards), tasks, clock }),
    webhooks,
    webhookDispatcher: new WebhookDispatcher({
      webhooks,
      deliveries,
      index: new DueIndex(deps.store, 'RETRY', LIMITS.dueShards),
      sender:
        deps.webhookSender ?? createWebhookSender({ allowPrivateNetworks: deps.settings.allowPrivateWebhookTargets ?? false }),
      clock,
    }),
  };
}

export function servicesFromEnv(env: NodeJS.ProcessEnv = process.env): Services {
  return createServices({ store: createStore(storeConfigFromEnv(env)), settings: settingsFromEnv(env) });
}
