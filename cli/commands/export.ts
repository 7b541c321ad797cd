import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError, EXIT, type KithClient } from '../client.ts';
import { ProgressBar } from '../progress.ts';

interface ExportView {
  id: string;
  status: string;
  exported: number;
  failure?: string;
  download: { url: string } | null;
}

const FORMATS: Record<string, string> = { csv: 'csv', json: 'json', vcard: 'vcard', vcard4: 'vcard', vcard3: 'vcard3' };

/** `kith export --format vcard --out contacts.vcf`: runs an export job and saves its file. */
export async function exportCommand(
  client: KithClient,
  options: { format?: string; segment?: string; out?: string; archived?: boolean },
): Promise<number> {
  const format = FORMATS[options.format ?? 'csv'];
  if (!format) throw new CliError(`--format must be one of: ${Object.keys(FORMATS).join(', ')}.`, EXIT.usage);
  let job = await client.request<ExportView>('POST', '/v1/exports', {
    format,
    contactStatus: options.archived ? 'archived' : 'active',
    ...(options.segment ? { segmentId: options.segment } : {}),
  });
  const bar = new ProgressBar();
  while (!['completed', 'failed', 'cancelled'].includes(job.status)) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    job = await client.request<ExportView>('GET', `/v1/exports/${job.id}`);
    bar.update(job.exported, undefined, 'contacts');
  }
  bar.finish();
  if (job.status !== 'completed' || !job.download)
    throw new CliError(`The export ${job.status}${job.failure ? `: ${job.failure}` : '.'}`);
  const response = await fetch(job.download.url);
  if (!response.ok || !response.body) throw new CliError(`The download failed (${response.status}).`);
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  if (options.out) {
    await pipeline(body, createWriteStream(options.out));
    process.stderr.write(`Exported ${job.exported} contacts to ${options.out}\n`);
  } else await pipeline(body, process.stdout);
  return EXIT.ok;
}
