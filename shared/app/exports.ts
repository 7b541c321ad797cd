import { Readable } from 'node:stream';
import { newId } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { csvLine } from '../domain/csv.ts';
import { vcardOf } from '../domain/vcard.ts';
import { assertCanCancel, type ExportFormat, type ExportJob, type ExportRequest } from '../domain/jobs.ts';
import type { Contact } from '../domain/contact.ts';
import type { Clock } from '../domain/clock.ts';
import type { BlobLink, BlobLinks } from '../blobs/blob-storage.ts';
import { LeaseLostError, type JobRepository } from '../store/jobs.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { Needs, Services } from './services.ts';
import type { ContactSearchService } from './search.ts';
import { scrubExportFile } from './erasure-files.ts';

const FILES: Record<ExportFormat, { extension: string; contentType: string }> = {
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8' },
  json: { extension: 'jsonl', contentType: 'application/x-ndjson; charset=utf-8' },
  vcard: { extension: 'vcf', contentType: 'text/vcard; charset=utf-8' },
  vcard3: { extension: 'vcf', contentType: 'text/vcard; charset=utf-8' },
};

/** Email and phone slots of the CSV export; JSON lines and vCard carry every one. */
const CSV_CHANNEL_SLOTS = 3;

const CSV_SCALARS = [
  'firstName',
  'middleName',
  'lastName',
  'nickname',
  'prefix',
  'suffix',
  'jobTitle',
  'department',
  'birthday',
  'lifecycleStage',
  'leadSource',
  'ownerId',
  'timeZone',
] as const;
const CSV_ADDRESS = ['street', 'street2', 'city', 'region', 'postalCode', 'country'] as const;

/**
 * The CSV columns of an export: named by their contact paths, so the generic import preset maps
 * a Kith export straight back (`emails[0].address`, `customFields.tier` ...).
 */
export function csvExportColumns(customFieldKeys: readonly string[]): { header: string; value: (c: Contact) => string }[] {
  const text = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join('; ') : String(v));
  return [
    { header: 'id', value: (c) => c.id },
    ...CSV_SCALARS.map((field) => ({ header: field, value: (c: Contact) => text(c[field]) })),
    ...Array.from({ length: CSV_CHANNEL_SLOTS }, (_, i) => [
      { header: `emails[${i}].address`, value: (c: Contact) => text(c.emails[i]?.address) },
      { header: `emails[${i}].label`, value: (c: Contact) => text(c.emails[i]?.label) },
    ]).flat(),
    ...Array.from({ length: CSV_CHANNEL_SLOTS }, (_, i) => [
      { header: `phones[${i}].number`, value: (c: Contact) => text(c.phones[i]?.number) },
      { header: `phones[${i}].label`, value: (c: Contact) => text(c.phones[i]?.label) },
    ]).flat(),
    { header: 'tags', value: (c) => c.tags.join('; ') },
    ...CSV_ADDRESS.map((part) => ({ header: `address.${part}`, value: (c: Contact) => text(c.address?.[part]) })),
    { header: 'socialProfiles.linkedin', value: (c) => text(c.socialProfiles?.linkedin) },
    ...customFieldKeys.map((key) => ({ header: `customFields.${key}`, value: (c: Contact) => text(c.customFields[key]) })),
    { header: 'companyId', value: (c) => text(c.companyId) },
    { header: 'status', value: (c) => c.status },
    { header: 'createdAt', value: (c) => c.createdAt },
    { header: 'updatedAt', value: (c) => c.updatedAt },
  ];
}

export class ExportService {
  private readonly jobs: JobRepository;
  private readonly blobs: BlobLinks;
  private readonly clock: Clock;

  private readonly search: ContactSearchService;

  constructor(jobs: JobRepository, blobs: BlobLinks, clock: Clock, search: ContactSearchService) {
    this.jobs = jobs;
    this.blobs = blobs;
    this.clock = clock;
    this.search = search;
  }

  async create(request: ExportRequest, actor: string): Promise<ExportJob> {
    if (request.segmentId !== undefined && request.filter !== undefined) {
      throw ValidationError.of('filter', 'cannot be combined with segmentId; export one or the other');
    }
    // A filter that does not compile is the client's 422 now, not a failed job later.
    if (request.filter !== undefined) await this.search.compile(request.filter);
    const now = this.clock.now();
    const id = newId(now.getTime());
    const job: ExportJob = {
      ...request,
      id,
      kind: 'export',
      status: 'queued',
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      createdBy: actor,
      dispatch: 1,
      invocations: 0,
      fileKey: `exports/${id}/contacts.${FILES[request.format].extension}`,
      exported: 0,
      parts: 0,
    };
    return this.jobs.create(job);
  }

  get(id: string): Promise<ExportJob> {
    return this.jobs.require<ExportJob>(id, 'export');
  }

  list(page: PageRequest): Promise<Page<ExportJob>> {
    return this.jobs.list<ExportJob>('export', page);
  }

  async cancel(id: string): Promise<ExportJob> {
    const job = await this.get(id);
    assertCanCancel(job);
    return this.jobs.replace(job, { ...job, status: 'cancelled', finishedAt: this.clock.now().toISOString() });
  }

  async downloadLink(job: ExportJob): Promise<BlobLink> {
    if (job.status !== 'completed')
      throw new ConflictError(`The export is ${job.status}; its file is ready once it is completed.`);
    return this.blobs.downloadLink(job.fileKey, {
      fileName: `kith-contacts-${job.id}.${FILES[job.format].extension}`,
      contentType: FILES[job.format].contentType,
      expiresInSeconds: LIMITS.jobLinkTtlSeconds,
    });
  }
}

/**
 * The export worker's use case: stream every selected contact into the file in one pass. An
 * invocation that dies leaves no file behind that the job points to; the retry writes it anew.
 */
/** What writing an export runs on (the export-worker assembles exactly this). */
export type ExportRunServices = Pick<
  Services,
  'settings' | 'jobs' | 'fields' | 'companies' | 'segments' | 'search' | 'contacts' | 'blobs' | 'erasureLog'
>;

export async function runExport(
  services: ExportRunServices,
  jobId: string,
  owner: string,
): Promise<'finished' | 'busy' | 'lost'> {
  const leaseMs = services.settings.jobLeaseMs ?? LIMITS.jobLeaseMs;
  let job = await services.jobs.acquire<ExportJob>(jobId, 'export', owner, leaseMs);
  if (!job) return 'busy';
  if (job.invocations > LIMITS.maxJobInvocations) {
    await services.jobs.release(job, owner, {
      final: { status: 'failed', failure: `Gave up after ${LIMITS.maxJobInvocations} attempts; the worker's logs say why.` },
    });
    return 'finished';
  }
  const counted = { exported: 0 };
  const companyNames = new Map<string, string | undefined>();
  const customKeys = [...(await services.fields.all()).keys()].sort();
  const columns = csvExportColumns(customKeys);

  async function companyName(id: string | undefined): Promise<string | undefined> {
    if (!id) return undefined;
    if (!companyNames.has(id)) companyNames.set(id, (await services.companies.repository.get(id))?.name);
    return companyNames.get(id);
  }

  /** Pages of the selected contacts: a segment or a filter through the search port, else a status list. */
  async function* pages(): AsyncGenerator<Contact[]> {
    if (job!.segmentId !== undefined) return yield* services.segments.allContacts(job!.segmentId);
    if (job!.filter !== undefined) return yield* services.search.allMatching(job!.filter);
    let cursor: string | undefined;
    do {
      const page = await services.contacts.list(job!.contactStatus, { limit: LIMITS.exportPageSize, cursor });
      yield page.results;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async function* contacts(): AsyncGenerator<Contact> {
    let sinceCheckpoint = 0;
    for await (const page of pages()) {
      yield* page;
      sinceCheckpoint += page.length;
      if (sinceCheckpoint >= LIMITS.exportPageSize * 50) {
        sinceCheckpoint = 0;
        job = await services.jobs.checkpoint(job!, owner, leaseMs, { exported: counted.exported });
      }
    }
  }

  const format = job.format;
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv')
      yield (
        '\uFEFF' +
        csvLine(
          columns.map((c) => c.header),
          { neutralize: false },
        )
      );
    for await (const contact of contacts()) {
      counted.exported++;
      if (format === 'csv') yield csvLine(columns.map((c) => c.value(contact)));
      else if (format === 'json') yield JSON.stringify(contact) + '\n';
      else yield vcardOf(contact, format === 'vcard3' ? '3.0' : '4.0', await companyName(contact.companyId));
    }
  }

  try {
    await services.blobs.write(job.fileKey, Readable.from(lines()), FILES[format].contentType);
    // People erased while this export ran leave the file before anyone can download it.
    let dropped = 0;
    for (const erasure of await services.erasureLog.startedSince(job.createdAt)) {
      dropped += await scrubExportFile(services.blobs, job.fileKey, format, services.erasureLog.matcherOf(erasure));
    }
    await services.jobs.release(job, owner, { final: { status: 'completed', exported: counted.exported - dropped } });
    return 'finished';
  } catch (error) {
    if (error instanceof LeaseLostError) return 'lost';
    // A segment deleted or a filter broken since the job was created: nothing a retry can fix.
    if (error instanceof NotFoundError || error instanceof ValidationError) {
      await services.jobs.release(job, owner, { final: { status: 'failed', failure: error.message } });
      return 'finished';
    }
    throw error;
  }
}

export const exportService = ({ jobs, blobLinks, clock, search }: Needs<'jobs' | 'blobLinks' | 'clock' | 'search'>) =>
  new ExportService(jobs, blobLinks, clock, search);
