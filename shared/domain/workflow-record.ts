import { LIMITS } from './limits.ts';
import type { WorkflowRun } from './workflow.ts';

/** What the run store derives from a stored run, apart from workflow.ts's input rules (zod). */

/**
 * When a run record may go. Runs of events and segment entries are kept long after any redelivery
 * could come; a period's run is what stops the period firing twice, so it stays while the period
 * can hold (a date's until well after the date; an inactivity stretch for ever).
 */
export function runExpiresAt(run: Pick<WorkflowRun, 'cause' | 'startedAt'>): number | undefined {
  const retention = LIMITS.workflowEventRunRetentionDays * 24 * 60 * 60;
  if (run.cause.kind !== 'period') return Math.floor(Date.parse(run.startedAt) / 1000) + retention;
  const date = /^date:.*:(\d{4}-\d{2}-\d{2})$/.exec(run.cause.key)?.[1];
  return date ? Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000) + retention : undefined;
}
