import { newId } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { assertCanCancel, assertCanStart, EMPTY_IMPORT_COUNTERS, type ImportJob, type ImportRequest } from '../domain/jobs.ts';
import type { Clock } from '../domain/clock.ts';
import type { BlobLink, BlobStorage } from '../blobs/blob-storage.ts';
import type { JobRepository } from '../store/jobs.ts';
import type { Page, PageRequest } from '../store/pages.ts';

const CONTENT_TYPES = { csv: 'text/csv', vcard: 'text/vcard' } as const;

// Keys follow the bucket's lifecycle prefixes (infra/aws/bucket.ts): `uploads/` and `exports/` expire.

/**
 * Import jobs as clients see them: create (with an upload link), start once the file is up,
 * follow the progress, cancel, and fetch the error report. The work itself is ImportRunner's.
 */
export class ImportService {
  private readonly jobs: JobRepository;
  private readonly blobs: BlobStorage;
  private readonly clock: Clock;

  constructor(jobs: JobRepository, blobs: BlobStorage, clock: Clock) {
    this.jobs = jobs;
    this.blobs = blobs;
    this.clock = clock;
  }

  async create(request: ImportRequest, actor: string): Promise<{ job: ImportJob; upload: BlobLink }> {
    const now = this.clock.now();
    const id = newId(now.getTime());
    const job: ImportJob = {
      ...request,
      id,
      kind: 'import',
      status: 'awaiting_upload',
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      createdBy: actor,
      dispatch: 0,
      invocations: 0,
      fileKey: `uploads/${id}.${request.format === 'csv' ? 'csv' : 'vcf'}`,
      checkpoint: 0,
      counters: EMPTY_IMPORT_COUNTERS,
      firstErrors: [],
      errorSegments: [],
    };
    await this.jobs.create(job);
    return { job, upload: await this.uploadLink(job) };
  }

  uploadLink(job: ImportJob): Promise<BlobLink> {
    return this.blobs.uploadLink(job.fileKey, {
      contentType: CONTENT_TYPES[job.format],
      maxBytes: LIMITS.maxImportFileBytes,
      expiresInSeconds: LIMITS.jobLinkTtlSeconds,
    });
  }

  get(id: string): Promise<ImportJob> {
    return this.jobs.require<ImportJob>(id, 'import');
  }

  list(page: PageRequest): Promise<Page<ImportJob>> {
    return this.jobs.list<ImportJob>('import', page);
  }

  /** Queues the job for a worker once its file is uploaded; the bumped `dispatch` triggers one. */
  async start(id: string): Promise<ImportJob> {
    const job = await this.get(id);
    assertCanStart(job);
    const file = await this.blobs.stat(job.fileKey);
    if (!file) throw ValidationError.of('file', 'has not been uploaded yet: PUT it to the upload link first');
    if (file.bytes === 0) throw ValidationError.of('file', 'is empty');
    if (file.bytes > LIMITS.maxImportFileBytes)
      throw ValidationError.of('file', `is larger than ${LIMITS.maxImportFileBytes} bytes`);
    return this.jobs.replace(job, { ...job, status: 'queued', fileBytes: file.bytes, dispatch: job.dispatch + 1 });
  }

  /** A running worker notices at its next checkpoint and stops; what it wrote stays. */
  async cancel(id: string): Promise<ImportJob> {
    const job = await this.get(id);
    assertCanCancel(job);
    return this.jobs.replace(job, { ...job, status: 'cancelled', finishedAt: this.clock.now().toISOString() });
  }

  async errorReportLink(id: string): Promise<BlobLink> {
    const job = await this.get(id);
    if (!job.errorReportKey) throw new NotFoundError('error report of import', id);
    return this.blobs.downloadLink(job.errorReportKey, {
      fileName: `kith-import-${id}-errors.csv`,
      contentType: 'text/csv; charset=utf-8',
      expiresInSeconds: LIMITS.jobLinkTtlSeconds,
    });
  }
}
