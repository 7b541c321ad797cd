/**
 * The repositories containers share, one factory each. Several services read through the same
 * instance, which matters where a repository caches (field definitions, webhook subscriptions).
 */
import { ApiKeyRepository } from '../store/api-keys.ts';
import { CompanyRepository } from '../store/companies.ts';
import { ContactRepository } from '../store/contacts.ts';
import { FieldDefinitionRepository } from '../store/fields.ts';
import { IdempotencyRepository } from '../store/idempotency.ts';
import { JobRepository } from '../store/jobs.ts';
import { SuppressionRepository } from '../store/suppressions.ts';
import { SegmentRepository } from '../store/segments.ts';
import { SegmentMemberRepository, WorkflowRepository, WorkflowRunRepository } from '../store/workflows.ts';
import { TaskRepository } from '../store/tasks.ts';
import { DeliveryRepository, WebhookRepository } from '../store/webhooks.ts';
import type { Parts } from './services.ts';

type Needs<Key extends keyof Parts> = Pick<Parts, Key>;

export const contactRepository = ({ store, clock }: Needs<'store' | 'clock'>) => new ContactRepository(store, clock);
export const companyRepository = ({ store, clock }: Needs<'store' | 'clock'>) => new CompanyRepository(store, clock);
export const taskRepository = ({ store }: Needs<'store'>) => new TaskRepository(store);
export const fieldDefinitions = ({ store, clock }: Needs<'store' | 'clock'>) => new FieldDefinitionRepository(store, clock);
export const apiKeys = ({ store, clock }: Needs<'store' | 'clock'>) => new ApiKeyRepository(store, clock);
export const idempotencyRecords = ({ store, clock }: Needs<'store' | 'clock'>) => new IdempotencyRepository(store, clock);
export const webhookRepository = ({ store }: Needs<'store'>) => new WebhookRepository(store);
export const webhookDeliveries = ({ store }: Needs<'store'>) => new DeliveryRepository(store);
export const jobRepository = ({ store, clock }: Needs<'store' | 'clock'>) => new JobRepository(store, clock);
export const suppressionRepository = ({ store, clock, suppressionSalt }: Needs<'store' | 'clock' | 'suppressionSalt'>) =>
  new SuppressionRepository(store, clock, suppressionSalt);
export const segmentRepository = ({ store, clock }: Needs<'store' | 'clock'>) => new SegmentRepository(store, clock);
export const workflowRepository = ({ store }: Needs<'store'>) => new WorkflowRepository(store);
export const workflowRunRepository = ({ store }: Needs<'store'>) => new WorkflowRunRepository(store);
export const segmentMemberRepository = ({ store }: Needs<'store'>) => new SegmentMemberRepository(store);
