import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Services } from '../../shared/app/services.ts';
import type { ReminderSweep } from '../../shared/app/reminders.ts';
import type { ScheduledInvocation } from '../../shared/events/types.ts';

/**
 * Every minute: fire the task reminders that are due. Runs may overlap, come late or be
 * skipped; each reminder still fires exactly once (see ReminderService).
 */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'reminders' } });
  return middy<ScheduledInvocation, ReminderSweep>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (invocation) => {
      const sweep = await services.reminders.fireDueReminders();
      logger.info('reminders swept', { scheduledTime: invocation?.scheduledTime, ...sweep });
      return sweep;
    });
}
