import * as z from 'zod';
import { ImportRequest, JOB_STATUSES, type ImportJob } from '../../../shared/domain/jobs.ts';
import { IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';

const Counters = z.object({
  processed: z.number().int(),
  total: z.number().int().nullable(),
  created: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  flagged: z.number().int().meta({ description: 'Created beside a likely duplicate (part of created)' }),
  unchanged: z.number().int().meta({ description: 'Matched a contact and changed nothing (part of skipped)' }),
  warnings: z.number().int(),
});

export const BlobLinkView = z
  .object({ url: z.string(), method: z.enum(['GET', 'PUT']), headers: z.record(z.string(), z.string()), expiresAt: z.string() })
  .meta({ id: 'FileLink' });

export const ImportView = z
  .object({
    id: z.string(),
    status: z.enum(JOB_STATUSES),
    format: z.enum(['csv', 'vcard']),
    preset: z.string().optional(),
    onDuplicate: z.string(),
    dryRun: z.boolean(),
    allowSuppressed: z.boolean(),
    fileName: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    failure: z.string().optional(),
    progress: Counters,
    firstErrors: z.array(
      z.object({ row: z.number(), column: z.string(), value: z.string(), message: z.string(), severity: z.string() }),
    ),
    mapping: z.unknown().optional(),
    preview: z.array(z.unknown()).optional(),
    errorReport: z.string().nullable().meta({ description: 'Path of the full error report (CSV), once the import is done' }),
  })
  .meta({ id: 'Import' });

export function importView(job: ImportJob): z.output<typeof ImportView> {
  return {
    id: job.id,
    status: job.status,
    format: job.format,
    ...(job.preset ? { preset: job.preset } : {}),
    onDuplicate: job.onDuplicate,
    dryRun: job.dryRun,
    allowSuppressed: job.allowSuppressed,
    ...(job.fileName ? { fileName: job.fileName } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.failure ? { failure: job.failure } : {}),
    progress: { ...job.counters, total: job.total ?? null },
    firstErrors: job.firstErrors,
    ...(job.appliedMapping ? { mapping: job.appliedMapping } : {}),
    ...(job.preview ? { preview: job.preview } : {}),
    errorReport: job.errorReportKey ? `/v1/imports/${job.id}/errors` : null,
  };
}

export const importOperations = {
  createImport: operation({
    tag: 'Imports',
    summary: 'Create an import job',
    description:
      'Answers with an upload link: PUT the file there (CSV or vCard), then POST /v1/imports/{id}/start. ' +
      'Rows are validated like POST /v1/contacts; duplicates (by email or external id, and inside the file also by phone ' +
      'where a row has no email) are skipped, merged into the existing contact (`update`) or created and tagged ' +
      '`possible-duplicate` (`flag`). A dry run writes nothing and reports what would happen.',
    body: ImportRequest,
    idempotent: true,
    responses: { 201: { description: 'The job, awaiting its file', schema: ImportView.extend({ upload: BlobLinkView }) } },
    async handle({ body, principal }, { imports }) {
      const { job, upload } = await imports.create(body, principal.id);
      return { status: 201, body: { ...importView(job), upload }, version: job.version, location: `/v1/imports/${job.id}` };
    },
  }),

  listImports: operation({
    tag: 'Imports',
    summary: 'List import jobs, newest first',
    query: PageQuery,
    responses: { 200: { description: 'A page of imports', schema: pageOf(ImportView) } },
    async handle({ query }, { imports }) {
      const page = await imports.list(query);
      return { body: { results: page.results.map(importView), nextCursor: page.nextCursor } };
    },
  }),

  getImport: operation({
    tag: 'Imports',
    summary: 'Read an import job and its progress',
    params: IdParams,
    responses: { 200: { description: 'The job', schema: ImportView } },
    async handle({ params }, { imports }) {
      const job = await imports.get(params.id);
      return { body: importView(job), version: job.version, headers: { 'cache-control': 'no-store' } };
    },
  }),

  startImport: operation({
    tag: 'Imports',
    summary: 'Start an import once its file is uploaded',
    params: IdParams,
    idempotent: true,
    responses: {
      202: { description: 'Queued for a worker', schema: ImportView },
      409: { description: 'The job is not awaiting its file' },
      422: { description: 'The file has not been uploaded' },
    },
    async handle({ params }, { imports }) {
      const job = await imports.start(params.id);
      return { status: 202, body: importView(job), version: job.version };
    },
  }),

  cancelImport: operation({
    tag: 'Imports',
    summary: 'Cancel an import (rows already written stay)',
    params: IdParams,
    idempotent: true,
    responses: { 200: { description: 'Cancelled', schema: ImportView } },
    async handle({ params }, { imports }) {
      const job = await imports.cancel(params.id);
      return { body: importView(job), version: job.version };
    },
  }),

  importErrorReport: operation({
    tag: 'Imports',
    summary: 'Download the error report (CSV: row, column, value, message, severity)',
    description: 'Redirects (303) to a short-lived download link. 404 while there is no report (yet).',
    params: IdParams,
    responses: { 303: { description: 'Location is the download link' } },
    async handle({ params }, { imports }) {
      const link = await imports.errorReportLink(params.id);
      return { status: 303, headers: { location: link.url, 'cache-control': 'no-store' }, body: link };
    },
  }),
};
