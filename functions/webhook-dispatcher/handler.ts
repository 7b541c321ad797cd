import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { webhookDeliveries, webhookRepository } from '../../shared/app/repositories.ts';
import { webhookDispatcher, webhookSender } from '../../shared/app/webhook-dispatcher.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({ ...foundationFromEnv(), webhookRepository, webhookDeliveries, webhookSender, webhookDispatcher }),
);
