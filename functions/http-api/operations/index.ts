import { systemOperations } from './system.ts';
import { contactOperations } from './contacts.ts';
import { companyOperations } from './companies.ts';
import { fieldOperations } from './fields.ts';
import { apiKeyOperations } from './api-keys.ts';
import { importOperations } from './imports.ts';
import { exportOperations } from './exports.ts';
import { searchOperations } from './search.ts';
import { segmentOperations } from './segments.ts';
import { activityOperations } from './activities.ts';
import { relationshipOperations } from './relationships.ts';
import { taskOperations } from './tasks.ts';
import { webhookOperations } from './webhooks.ts';
import { historyOperations } from './history.ts';
import { deadLetterOperations } from './dead-letters.ts';
import { duplicateOperations } from './duplicates.ts';
import { privacyOperations } from './privacy.ts';
import { workflowOperations } from './workflows.ts';

/** Every operation of the HTTP API, by the operationId the topology's routes name. */
export const operations = {
  ...systemOperations,
  ...contactOperations,
  ...companyOperations,
  ...fieldOperations,
  ...apiKeyOperations,
  ...importOperations,
  ...exportOperations,
  ...searchOperations,
  ...segmentOperations,
  ...activityOperations,
  ...relationshipOperations,
  ...taskOperations,
  ...webhookOperations,
  ...historyOperations,
  ...deadLetterOperations,
  ...duplicateOperations,
  ...privacyOperations,
  ...workflowOperations,
};
