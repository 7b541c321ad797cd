/**
 * Removing an erased person from files and job items: import error reports and their rows in
 * the job item (`firstErrors`, a dry run's `preview`), and export files. A file that holds the
 * person is rewritten without their records, byte for byte otherwise, so the other people in an
 * export of 10,000 stay downloadable; a file that does not is left untouched.
 */
import { Readable } from 'node:stream';
import type { PersonMatcher } from '../domain/erasure.ts';
import type { ExportFormat, ImportJob } from '../domain/jobs.ts';
import { csvCells, csvRecords } from '../domain/csv.ts';
import type { ContactFields } from '../domain/contact.ts';
import type { BlobStorage } from '../blobs/blob-storage.ts';

async function* textOf(blobs: BlobStorage, key: string): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of await blobs.read(key)) yield decoder.decode(chunk as Buffer, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Records of a file Kith wrote, in its format: CSV records, JSON lines, vCards. */
async function* recordsOf(chunks: AsyncIterable<string>, format: ExportFormat | 'report'): AsyncGenerator<string> {
  if (format === 'csv' || format === 'report') return yield* csvRecords(chunks);
  const end = format === 'json' ? '\n' : 'END:VCARD\r\n';
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf(end)) >= 0) {
      yield buffer.slice(0, at + end.length);
      buffer = buffer.slice(at + end.length);
    }
  }
  if (buffer) yield buffer;
}

/**
 * Rewrites `key` without the records `drop` picks, if it picks any. Answers how many it dropped
 * (0: the file is untouched, or gone).
 */
async function rewriteWithout(
  blobs: BlobStorage,
  key: string,
  format: ExportFormat | 'report',
  contentType: string,
  drop: (record: string, index: number) => boolean | Promise<boolean>,
): Promise<number> {
  if (!(await blobs.stat(key))) return 0;
  const dropped = new Set<number>();
  let index = 0;
  for await (const record of recordsOf(textOf(blobs, key), format)) {
    if (await drop(record, index)) dropped.add(index);
    index++;
  }
  if (dropped.size === 0) return 0;
  async function* kept(): AsyncGenerator<string> {
    let at = 0;
    for await (const record of recordsOf(textOf(blobs, key), format)) if (!dropped.has(at++)) yield record;
  }
  await blobs.write(key, Readable.from(kept()), contentType);
  return dropped.size;
}

/** An export file without the person's records (every record of an export names its contact's id). */
export function scrubExportFile(blobs: BlobStorage, key: string, format: ExportFormat, matcher: PersonMatcher): Promise<number> {
  const contentType = format === 'csv' ? 'text/csv; charset=utf-8' : format === 'json' ? 'application/x-ndjson' : 'text/vcard';
  return rewriteWithout(blobs, key, format, contentType, (record) => matcher.namesId(record));
}

/** The rows of an import that are the person's: named by an id or an identity value, in the job or its report. */
async function personRows(job: ImportJob, blobs: BlobStorage, matcher: PersonMatcher): Promise<Set<number>> {
  const rows = new Set<number>();
  for (const error of job.firstErrors) if (await matcher.mentionedIn(`${error.value} ${error.message}`)) rows.add(error.row);
  for (const entry of (job.preview ?? []) as { row: number; contact: Partial<ContactFields> }[]) {
    if (await matcher.isPerson(entry.contact)) rows.add(entry.row);
  }
  if (job.errorReportKey && (await blobs.stat(job.errorReportKey))) {
    let first = true;
    for await (const record of csvRecords(textOf(blobs, job.errorReportKey))) {
      if (first) {
        first = false;
        continue;
      }
      if (await matcher.mentionedIn(record)) rows.add(Number(csvCells(record)[0]));
    }
  }
  return rows;
}

/**
 * An import without the person's rows: their entries leave `firstErrors` and `preview`, and
 * every line of their rows leaves the error report. Answers the scrubbed job fields (or
 * `undefined` when nothing in the job names them) and the report lines dropped.
 */
export async function scrubImport(
  job: ImportJob,
  blobs: BlobStorage,
  matcher: PersonMatcher,
): Promise<{ fields?: Pick<ImportJob, 'firstErrors' | 'preview'>; reportLines: number }> {
  const rows = await personRows(job, blobs, matcher);
  if (rows.size === 0) return { reportLines: 0 };
  const reportLines = job.errorReportKey
    ? await rewriteWithout(
        blobs,
        job.errorReportKey,
        'report',
        'text/csv',
        (record, index) => index > 0 && rows.has(Number(csvCells(record)[0])),
      )
    : 0;
  const firstErrors = job.firstErrors.filter((error) => !rows.has(error.row));
  const preview = job.preview?.filter((entry) => !rows.has((entry as { row: number }).row));
  const changed = firstErrors.length !== job.firstErrors.length || (preview?.length ?? 0) !== (job.preview?.length ?? 0);
  return { ...(changed ? { fields: { firstErrors, ...(preview ? { preview } : {}) } } : {}), reportLines };
}

/** Whether an uploaded import file names the person (an email, phone or id of theirs). */
export async function uploadMentions(blobs: BlobStorage, key: string, matcher: PersonMatcher): Promise<boolean> {
  if (!(await blobs.stat(key))) return false;
  let carry = '';
  for await (const chunk of textOf(blobs, key)) {
    // Look at whole lines, so a value split between two chunks is still seen.
    const text = carry + chunk;
    const cut = text.lastIndexOf('\n');
    if (cut >= 0 && (await matcher.mentionedIn(text.slice(0, cut)))) return true;
    carry = cut >= 0 ? text.slice(cut + 1) : text;
  }
  return carry !== '' && matcher.mentionedIn(carry);
}
