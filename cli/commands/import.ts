import { openAsBlob, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { CliError, EXIT, uploadTo, type KithClient } from '../client.ts';
import { ProgressBar, table } from '../progress.ts';

interface ImportView {
  id: string;
  status: string;
  failure?: string;
  progress: Record<string, number | null>;
  firstErrors: { row: number; column: string; value: string; message: string }[];
  errorReport: string | null;
  mapping?: { preset: string; columns: { header: string; target: string }[]; unmapped: string[] };
  preview?: unknown[];
  upload?: { url: string; method: string; headers: Record<string, string> };
}

export interface ImportOptions {
  preset?: string;
  mapping?: string;
  onDuplicate?: string;
  dryRun?: boolean;
  json?: boolean;
  errors?: string;
  format?: string;
}

const POLL_MS = 500;

/** Upload, start, follow, report: `kith import contacts.csv`. */
export async function importCommand(client: KithClient, file: string, options: ImportOptions): Promise<number> {
  let blob: Blob;
  try {
    blob = await openAsBlob(file);
  } catch {
    throw new CliError(`Cannot read ${file}.`, EXIT.usage);
  }
  let mapping: unknown;
  if (options.mapping) {
    try {
      mapping = JSON.parse(options.mapping);
    } catch {
      throw new CliError('--mapping must be JSON, e.g. \'{"Given":"firstName","Mail":"email"}\'.', EXIT.usage);
    }
  }
  const format = options.format ?? (['.vcf', '.vcard'].includes(extname(file).toLowerCase()) ? 'vcard' : 'csv');
  const created = await client.request<ImportView>('POST', '/v1/imports', {
    format,
    ...(options.preset ? { preset: options.preset } : {}),
    ...(mapping ? { mapping } : {}),
    onDuplicate: options.onDuplicate ?? 'skip',
    dryRun: options.dryRun ?? false,
    fileName: basename(file).slice(0, 255),
  });
  await uploadTo(created.upload!, blob);
  await client.request('POST', `/v1/imports/${created.id}/start`);

  const bar = new ProgressBar();
  let job = created;
  while (!['completed', 'failed', 'cancelled'].includes(job.status)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    job = await client.request<ImportView>('GET', `/v1/imports/${created.id}`);
    const p = job.progress;
    bar.update(p.processed ?? 0, p.total ?? undefined, `rows · ${p.created} created · ${p.failed} failed`);
  }
  bar.finish();

  if (options.errors && job.errorReport) {
    writeFileSync(options.errors, await client.download(job.errorReport));
    process.stderr.write(`Error report saved to ${options.errors}\n`);
  }
  const summary = {
    id: job.id,
    status: job.status,
    ...Object.fromEntries(Object.entries(job.progress)),
    ...(job.failure ? { failure: job.failure } : {}),
    errorReport: job.errorReport,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    printSummary(job, options.dryRun ?? false);
  }
  if (job.status !== 'completed') {
    if (!options.json) process.stderr.write(`The import ${job.status}${job.failure ? `: ${job.failure}` : '.'}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

function printSummary(job: ImportView, dryRun: boolean): void {
  const p = job.progress;
  const out: string[] = [];
  out.push(`${dryRun ? 'Dry run of import' : 'Import'} ${job.id}: ${job.status}`);
  if (job.mapping) {
    out.push(`Mapping (${job.mapping.preset}): ${job.mapping.columns.map((c) => `${c.header} → ${c.target}`).join(', ')}`);
    if (job.mapping.unmapped.length > 0) out.push(`Not imported: ${job.mapping.unmapped.join(', ')}`);
  }
  out.push(
    table([
      ['rows', `${p.processed}/${p.total ?? '?'}`],
      [dryRun ? 'would create' : 'created', `${p.created}${p.flagged ? ` (${p.flagged} flagged as possible duplicates)` : ''}`],
      [dryRun ? 'would update' : 'updated', p.updated ?? 0],
      ['skipped', `${p.skipped}${p.unchanged ? ` (${p.unchanged} unchanged)` : ''}`],
      ['failed', p.failed ?? 0],
      ['warnings', p.warnings ?? 0],
    ]),
  );
  if (job.firstErrors.length > 0) {
    out.push('First errors:');
    for (const e of job.firstErrors.slice(0, 5))
      out.push(
        `  row ${e.row}${e.column ? ` [${e.column}]` : ''}: ${e.message}${e.value ? ` (${JSON.stringify(e.value)})` : ''}`,
      );
  }
  if (job.errorReport) out.push(`Full report: GET ${job.errorReport} (or run again with --errors report.csv)`);
  process.stdout.write(`${out.join('\n')}\n`);
}
