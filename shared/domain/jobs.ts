/**
 * Import and export jobs: what a client asks for, the states a job moves through and the
 * counters it reports. The state machine lives here so the API, the workers and the sweeper
 * agree on it.
 *
 *   import: awaiting_upload ─start→ queued ─lease→ running ─→ completed | failed
 *   export:                         queued ─lease→ running ─→ completed | failed
 *   any state before completed/failed ─cancel→ cancelled
 *
 * A running job that runs out of invocation time checkpoints, releases its lease and bumps
 * `dispatch`, which triggers the next invocation; it stays `running` throughout.
 */
import * as z from 'zod';
import { ColumnMapping, IMPORT_PRESETS } from './import-mapping.ts';
import { CONTACT_STATUSES } from './contact.ts';
import { ConflictError } from './errors.ts';

export const JOB_STATUSES = ['awaiting_upload', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running'];
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export const DUPLICATE_POLICIES = ['skip', 'update', 'flag'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];

export const ImportRequest = z.strictObject({
  format: z.enum(['csv', 'vcard']),
  preset: z.enum(IMPORT_PRESETS).optional().meta({ description: 'Recognized from the header when absent' }),
  mapping: ColumnMapping.optional(),
  onDuplicate: z.enum(DUPLICATE_POLICIES).default('skip'),
  dryRun: z.boolean().default(false),
  allowSuppressed: z
    .boolean()
    .default(false)
    .meta({ description: 'Import people whose email or phone was erased (GDPR) anyway' }),
  fileName: z.string().max(255).optional(),
});
export type ImportRequest = z.output<typeof ImportRequest>;

export const EXPORT_FORMATS = ['csv', 'json', 'vcard', 'vcard3'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const ExportRequest = z.strictObject({
  format: z
    .enum(EXPORT_FORMATS)
    .default('csv')
    .meta({ description: '`vcard` is vCard 4.0, `vcard3` vCard 3.0; `json` is JSON lines' }),
  contactStatus: z
    .enum(CONTACT_STATUSES)
    .exclude(['merged'])
    .default('active')
    .meta({ description: 'Which contacts to export when no segment or filter is given' }),
  segmentId: z.string().min(1).max(64).optional().meta({ description: 'Export only the contacts of this segment' }),
  filter: z.unknown().optional().meta({ description: 'Export only the contacts this filter (the filter language) selects' }),
});
export type ExportRequest = z.output<typeof ExportRequest>;

/** What happened to the rows so far; `flagged` and `unchanged` are parts of `created` and `skipped`. */
export interface ImportCounters {
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  flagged: number;
  unchanged: number;
  warnings: number;
}

export const EMPTY_IMPORT_COUNTERS: ImportCounters = {
  processed: 0,
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
  flagged: 0,
  unchanged: 0,
  warnings: 0,
};

export function addCounters(a: ImportCounters, b: Partial<ImportCounters>): ImportCounters {
  const out = { ...a };
  for (const key of Object.keys(out) as (keyof ImportCounters)[]) out[key] += b[key] ?? 0;
  return out;
}

export interface JobBase {
  id: string;
  kind: 'import' | 'export';
  status: JobStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  startedAt?: string;
  finishedAt?: string;
  /** Why a job failed, in one sentence. */
  failure?: string;
  /** Bumped to (re)trigger a worker: the change stream carries it to the worker's subscription. */
  dispatch: number;
  leaseOwner?: string;
  leaseUntil?: string;
  /** Invocations that worked on the job, for the curious and for the runaway guard. */
  invocations: number;
}

export interface ImportJob extends JobBase, Omit<ImportRequest, 'preset'> {
  kind: 'import';
  preset?: ImportRequest['preset'];
  fileKey: string;
  fileBytes?: number;
  /** Data rows in the file, known once a worker has read it. */
  total?: number;
  /** Rows before this one are done and counted. */
  checkpoint: number;
  counters: ImportCounters;
  /** First rows of the error report, for GET; the report itself is `errorReportKey`. */
  firstErrors: { row: number; column: string; value: string; message: string; severity: string }[];
  /** Starting rows of the error-report segments that hold lines, in order. */
  errorSegments: number[];
  errorReportKey?: string;
  /** The mapping a worker applied, and columns nothing maps (set when the file is read). */
  appliedMapping?: { preset: string; columns: { header: string; target: string }[]; unmapped: string[] };
  /** A dry run's first rows as they would be stored. */
  preview?: unknown[];
}

export interface ExportJob extends JobBase, ExportRequest {
  kind: 'export';
  fileKey: string;
  exported: number;
  /** Opaque position of the export in its source, so a new invocation continues where one stopped. */
  cursor?: string | null;
  /** Bytes written so far (parts of a multipart object or local file). */
  parts: number;
}

export type Job = ImportJob | ExportJob;

/** The transitions a client may ask for; workers move `queued → running → completed|failed`. */
export function assertCanStart(job: ImportJob): void {
  if (job.status !== 'awaiting_upload') {
    throw new ConflictError(`The import is ${job.status}; only an import awaiting its upload can be started.`);
  }
}

export function assertCanCancel(job: Job): void {
  if (FINAL_JOB_STATUSES.includes(job.status)) throw new ConflictError(`The ${job.kind} is already ${job.status}.`);
}
