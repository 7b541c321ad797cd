/**
 * The states of an import or export job (jobs.ts has the state machine and the requests). Apart
 * from jobs.ts, whose request schemas (zod) the job store and the sweeper do not load.
 */
export const JOB_STATUSES = ['awaiting_upload', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running'];
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
