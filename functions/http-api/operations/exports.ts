import * as z from 'zod';
import { EXPORT_FORMATS, ExportRequest, JOB_STATUSES, type ExportJob } from '../../../shared/domain/jobs.ts';
import { IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import type { Services } from '../../../shared/app/services.ts';
import { BlobLinkView } from './imports.ts';
import { operation } from './define.ts';

export const ExportView = z
  .object({
    id: z.string(),
    status: z.enum(JOB_STATUSES),
    format: z.enum(EXPORT_FORMATS),
    contactStatus: z.string(),
    exported: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    failure: z.string().optional(),
    download: BlobLinkView.nullable().meta({ description: 'A short-lived link to the file, once completed' }),
  })
  .meta({ id: 'Export' });

async function exportView(job: ExportJob, { exports }: Services): Promise<z.output<typeof ExportView>> {
  return {
    id: job.id,
    status: job.status,
    format: job.format,
    contactStatus: job.contactStatus,
    exported: job.exported,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.failure ? { failure: job.failure } : {}),
    download: job.status === 'completed' ? await exports.downloadLink(job) : null,
  };
}

export const exportOperations = {
  createExport: operation({
    tag: 'Exports',
    summary: 'Export contacts as CSV, JSON lines or vCard (3.0 or 4.0)',
    description:
      'Asynchronous: poll GET /v1/exports/{id} until `completed`, then follow `download`. CSV cells that a ' +
      'spreadsheet would run as formulas are prefixed with an apostrophe.',
    body: ExportRequest,
    idempotent: true,
    responses: { 202: { description: 'Queued', schema: ExportView } },
    async handle({ body, principal }, services) {
      const job = await services.exports.create(body, principal.id);
      return { status: 202, body: await exportView(job, services), version: job.version, location: `/v1/exports/${job.id}` };
    },
  }),

  listExports: operation({
    tag: 'Exports',
    summary: 'List export jobs, newest first',
    query: PageQuery,
    responses: { 200: { description: 'A page of exports', schema: pageOf(ExportView) } },
    async handle({ query }, services) {
      const page = await services.exports.list(query);
      return {
        body: { results: await Promise.all(page.results.map((job) => exportView(job, services))), nextCursor: page.nextCursor },
      };
    },
  }),

  getExport: operation({
    tag: 'Exports',
    summary: 'Read an export job',
    params: IdParams,
    responses: { 200: { description: 'The job', schema: ExportView } },
    async handle({ params }, services) {
      const job = await services.exports.get(params.id);
      return { body: await exportView(job, services), version: job.version, headers: { 'cache-control': 'no-store' } };
    },
  }),

  cancelExport: operation({
    tag: 'Exports',
    summary: 'Cancel an export',
    params: IdParams,
    idempotent: true,
    responses: { 200: { description: 'Cancelled', schema: ExportView } },
    async handle({ params }, services) {
      const job = await services.exports.cancel(params.id);
      return { body: await exportView(job, services), version: job.version };
    },
  }),

  downloadExport: operation({
    tag: 'Exports',
    summary: 'Download the exported file',
    description: 'Redirects (303) to a short-lived download link; 409 until the export is completed.',
    params: IdParams,
    responses: { 303: { description: 'Location is the download link' } },
    async handle({ params }, { exports }) {
      const link = await exports.downloadLink(await exports.get(params.id));
      return { status: 303, headers: { location: link.url, 'cache-control': 'no-store' }, body: link };
    },
  }),
};
