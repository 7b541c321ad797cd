import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import {
  companyRepository,
  contactRepository,
  fieldDefinitions,
  segmentMemberRepository,
  segmentRepository,
  taskRepository,
  webhookDeliveries,
  webhookRepository,
  workflowRepository,
  workflowRunRepository,
  suppressionRepository,
} from '../../shared/app/repositories.ts';
import { contactService } from '../../shared/app/contacts.ts';
import { openSearchIndexFromEnv } from '../../shared/app/search-index.ts';
import { contactSearchService } from '../../shared/app/search.ts';
import { timelineService } from '../../shared/app/timeline.ts';
import { taskService } from '../../shared/app/tasks.ts';
import { webhookDispatcher, webhookSender } from '../../shared/app/webhook-dispatcher.ts';
import { workflowActions } from '../../shared/app/workflow-actions.ts';
import { workflowEngine } from '../../shared/app/workflows.ts';
import { suppressionSaltFromEnv } from '../../shared/secrets/salt.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    contactRepository,
    companyRepository,
    taskRepository,
    segmentRepository,
    webhookRepository,
    webhookDeliveries,
    workflowRepository,
    workflowRuns: workflowRunRepository,
    segmentMembers: segmentMemberRepository,
    fields: fieldDefinitions,
    // Creates refuse erased people's identities: salted hashes, the salt read on first use.
    suppressionSalt: () => suppressionSaltFromEnv(),
    suppressions: suppressionRepository,
    contacts: contactService,
    searchIndex: openSearchIndexFromEnv(),
    search: contactSearchService,
    timeline: timelineService,
    tasks: taskService,
    webhookSender,
    webhookDispatcher,
    workflowActions,
    workflowEngine,
  }),
);
