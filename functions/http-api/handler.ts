import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import {
  apiKeys,
  companyRepository,
  contactRepository,
  fieldDefinitions,
  idempotencyRecords,
  jobRepository,
  segmentRepository,
  taskRepository,
  webhookDeliveries,
  webhookRepository,
  workflowRepository,
  workflowRunRepository,
  suppressionRepository,
} from '../../shared/app/repositories.ts';
import { openSearchIndexFromEnv } from '../../shared/app/search-index.ts';
import { contactService } from '../../shared/app/contacts.ts';
import { companyService } from '../../shared/app/companies.ts';
import { contactSearchService } from '../../shared/app/search.ts';
import { segmentService } from '../../shared/app/segments.ts';
import { timelineService } from '../../shared/app/timeline.ts';
import { relationshipService } from '../../shared/app/relationships.ts';
import { taskService } from '../../shared/app/tasks.ts';
import { webhookService } from '../../shared/app/webhooks.ts';
import { duplicateService } from '../../shared/app/duplicates.ts';
import { typedPhone } from '../../shared/domain/dedup/typed-phone.ts';
import { mergeService } from '../../shared/app/merge.ts';
import { builtInMergeParticipants } from '../../shared/app/merge-participants.ts';
import { fieldHistoryService } from '../../shared/app/history.ts';
import { unavailableDeadLetterQueue } from '../../shared/events/dead-letters.ts';
import { blobLinksFromEnv } from '../../shared/blobs/links-from-env.ts';
import { importService } from '../../shared/app/imports.ts';
import { exportService } from '../../shared/app/exports.ts';
import { workflowService } from '../../shared/app/workflows.ts';
import { suppressionSaltFromEnv } from '../../shared/secrets/salt.ts';
import { erasureService } from '../../shared/app/erasure.ts';
import { builtInErasureParticipants } from '../../shared/app/erasure-participants.ts';
import { consentService } from '../../shared/app/consent.ts';
import { personalDataService } from '../../shared/app/personal-data.ts';
import { lazyBlobStorage } from '../../shared/blobs/lazy.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    contactRepository,
    companyRepository,
    taskRepository,
    webhookRepository,
    webhookDeliveries,
    fields: fieldDefinitions,
    apiKeys,
    idempotency: idempotencyRecords,
    searchIndex: openSearchIndexFromEnv(),
    // The SQS adapter of the dead-letter port does not exist yet: its routes answer 501 in AWS.
    deadLetters: () => unavailableDeadLetterQueue,
    // Creates refuse erased people's identities: salted hashes, the salt read on first use.
    suppressionSalt: () => suppressionSaltFromEnv(),
    suppressions: suppressionRepository,
    contacts: contactService,
    companies: companyService,
    search: contactSearchService,
    segmentRepository,
    segments: segmentService,
    timeline: timelineService,
    relationships: relationshipService,
    tasks: taskService,
    webhooks: webhookService,
    // Matching for imports may see phones as people typed them.
    phoneReader: () => typedPhone,
    duplicates: duplicateService,
    mergeParticipants: builtInMergeParticipants,
    merges: mergeService,
    history: fieldHistoryService,
    // Upload and download links only: the workers read and write the files.
    blobLinks: () => blobLinksFromEnv(),
    jobs: jobRepository,
    imports: importService,
    exports: exportService,
    workflowRepository,
    workflowRuns: workflowRunRepository,
    workflows: workflowService,
    consent: consentService,
    personalData: personalDataService,
    // Erasure deletes upload and export files that name the person: the one use of the full blob
    // storage here, so its S3 client loads on the first erasure, not at every cold start.
    blobs: () => lazyBlobStorage(async () => (await import('../../shared/blobs/from-env.ts')).blobStorageFromEnv()),
    erasureParticipants: builtInErasureParticipants,
    erasures: erasureService,
  }),
);
