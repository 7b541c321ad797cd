import type { Services } from '../../shared/app/services.ts';

/** What the HTTP API's operations use: every service but the consumers' own (reminders, webhook delivery). */
export type HttpApiServices = Pick<
  Services,
  | 'contacts'
  | 'companies'
  | 'fields'
  | 'apiKeys'
  | 'idempotency'
  | 'search'
  | 'segments'
  | 'timeline'
  | 'relationships'
  | 'tasks'
  | 'webhooks'
  | 'duplicates'
  | 'merges'
  | 'history'
  | 'deadLetters'
  | 'imports'
  | 'exports'
  | 'workflows'
  | 'erasures'
  | 'consent'
  | 'personalData'
>;
