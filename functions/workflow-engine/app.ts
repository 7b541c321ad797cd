import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Services } from '../../shared/app/services.ts';
import type { ChangeReport, EngineNote, EvaluationReport } from '../../shared/app/workflows.ts';
import type { KithEvent, ScheduledInvocation } from '../../shared/events/types.ts';
import { LIMITS } from '../../shared/domain/limits.ts';

function isEvent(input: KithEvent | ScheduledInvocation): input is KithEvent {
  return 'detail-type' in input;
}

/**
 * Two triggers, one engine: each contact event runs the workflows it sets off (event triggers,
 * segment entries, time triggers the change brought forward), and the schedule evaluates time
 * triggers and resumes runs whose process died. A run that throws throws here, so the event is
 * delivered again and the run resumed where it stopped.
 */
export function create(services: Services) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'workflow-engine' } });
  const logNotes = (notes: EngineNote[]) => {
    for (const note of notes) logger.warn(note.message, note.facts);
  };
  return middy<KithEvent | ScheduledInvocation, ChangeReport | EvaluationReport>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (input, context) => {
      if (isEvent(input)) {
        const report = await services.workflowEngine.onContactChange(input);
        logNotes(report.notes);
        if (report.ran > 0) logger.info('workflows ran', { eventId: input.detail.eventId, ...report, notes: undefined });
        return report;
      }
      // Runs under way get the reserve to finish; what is left is the next evaluation's.
      const budgetMs = Math.max(0, context.getRemainingTimeInMillis() - LIMITS.workflowEvaluationReserveMs);
      const report = await services.workflowEngine.evaluateTimeTriggers({ budgetMs });
      logNotes(report.notes);
      logger.info('time triggers evaluated', { scheduledTime: input.scheduledTime, ...report, notes: undefined });
      return report;
    });
}
