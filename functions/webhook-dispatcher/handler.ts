import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { webhookDeliveries, webhookRepository, workflowRepository } from '../../shared/app/repositories.ts';
import { webhookDispatcher, webhookSender } from '../../shared/app/webhook-dispatcher.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    webhookRepository,
    webhookDeliveries,
    // Retries of workflow webhook actions are signed with their workflow's secret.
    workflowRepository,
    webhookSender,
    webhookDispatcher,
  }),
);
