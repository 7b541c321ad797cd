import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freshServices, dynamoEndpoint } from '../helpers/store.ts';
import { ImportRunner } from '../../shared/app/import-runner.ts';
import type { Services } from '../../shared/app/services.ts';
import type { ImportJob } from '../../shared/domain/jobs.ts';
import type { Contact } from '../../shared/domain/contact.ts';
import type { LocalBlobStorage } from '../../shared/blobs/local.ts';

const LEASE_SECONDS = 2;
/** Small chunks, so a short file has many checkpoints to die between. */
const CHUNK_ROWS = 150;

/** A file with everything a resume can get wrong: creates, in-file duplicates (merged), bad rows, existing people. */
function messyCsv(rows: number): string {
  const lines = ['First Name,Last Name,Email,Phone,Tags'];
  for (let i = 1; i <= rows; i++) {
    if (i % 97 === 0) lines.push(`Broken,Row${i},not-an-email-${i},,`);
    else if (i % 10 === 0) lines.push(`Dup,Of${i - 3},person${i - 3}@example.com,,dup`);
    else if (i % 15 === 0) lines.push(`Phone,Twin${i},,+1 212 555 ${String(1000 + (i - 1)).slice(-4)},twin`);
    else if (i % 125 === 3) lines.push(`Known,Person${i},EXISTING${Math.floor(i / 125)}@example.com,,known`);
    else lines.push(`Person,${i},person${i}@example.com,+1 212 555 ${String(1000 + i).slice(-4)},t${i % 7}`);
  }
  return lines.join('\r\n') + '\r\n';
}

async function startImport(services: Services, csv: string): Promise<ImportJob> {
  for (let i = 0; i < 10; i++) {
    await services.contacts.create({ firstName: 'Existing', emails: [{ address: `existing${i}@example.com` }] }, 'key:test');
  }
  const { job } = await services.imports.create(
    { format: 'csv', onDuplicate: 'update', dryRun: false, allowSuppressed: false },
    'key:test',
  );
  await services.blobs.write(job.fileKey, csv, 'text/csv');
  return services.imports.start(job.id);
}

function runWorker(services: Services, jobId: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['test/helpers/import-worker-process.ts'], {
    env: {
      ...process.env,
      JOB_ID: jobId,
      TABLE_NAME: services.store.tableName,
      DYNAMODB_ENDPOINT: dynamoEndpoint(),
      KITH_BLOB_DIR: (services.blobs as LocalBlobStorage).root,
      KITH_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
      KITH_IMPORT_CHUNK_ROWS: String(CHUNK_ROWS),
      KITH_DEFAULT_PHONE_REGION: 'US',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

async function everyContact(services: Services): Promise<Contact[]> {
  const out: Contact[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.contacts.list('active', { limit: 100, cursor });
    out.push(...page.results);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** What a person sees of the result: every contact's identity and data, without ids and times. */
function essence(contacts: Contact[]): string[] {
  return contacts.map((c) => JSON.stringify([c.firstName, c.lastName, c.emails, c.phones, [...c.tags].sort(), c.version])).sort();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an import worker killed mid-way', () => {
  it(
    'resumes from its checkpoint with exactly the counts and contacts of an uninterrupted run',
    // Two kills, two lease expiries and 2,400 rows: minutes when the run's DynamoDB Local is busy.
    { timeout: 600_000 },
    async () => {
      const csv = messyCsv(1200);

      // The oracle: the same import, never interrupted, on a table of its own.
      const reference = await freshServices(undefined, { jobLeaseMs: LEASE_SECONDS * 1000, importChunkRows: CHUNK_ROWS });
      const referenceJob = await startImport(reference, csv);
      expect(await new ImportRunner(reference, 'reference').run(referenceJob.id, () => 10 * 60_000)).toBe('finished');
      const expected = await reference.imports.get(referenceJob.id);
      expect(expected.counters.created).toBeGreaterThan(700);
      expect(expected.counters.updated).toBeGreaterThan(50);
      expect(expected.counters.failed).toBeGreaterThan(10);
      const known = (await everyContact(reference)).filter((c) => c.tags.includes('known'));
      expect(known.length).toBe(10);

      const services = await freshServices(undefined, { jobLeaseMs: LEASE_SECONDS * 1000, importChunkRows: CHUNK_ROWS });
      const job = await startImport(services, csv);
      let kills = 0;
      for (let attempt = 0; attempt < 10; attempt++) {
        const worker = runWorker(services, job.id);
        const before = (await services.imports.get(job.id)).checkpoint;
        // Let it get past at least one checkpoint, then kill it at a random moment inside a chunk.
        let killed = false;
        while (kills < 2) {
          const current = await services.imports.get(job.id);
          if (current.status !== 'running' && current.status !== 'queued') break;
          if (current.checkpoint > before) {
            await sleep(Math.floor(Math.random() * 400));
            worker.child.kill('SIGKILL');
            killed = true;
            kills++;
            break;
          }
          await sleep(20);
        }
        const code = await worker.exited;
        if (!killed) expect(code).toBe(0);
        const state = await services.imports.get(job.id);
        if (state.status === 'completed') break;
        // The killed worker's lease must run out before another may take the job.
        await sleep(LEASE_SECONDS * 1000 + 200);
      }
      expect(kills).toBe(2);
      const finished = await services.imports.get(job.id);
      expect(finished.status).toBe('completed');
      expect(finished.counters).toEqual(expected.counters);
      expect(finished.invocations).toBeGreaterThanOrEqual(3);

      const contacts = await everyContact(services);
      expect(essence(contacts)).toEqual(essence(await everyContact(reference)));
      const primaries = contacts.flatMap((c) => c.emails.filter((e) => e.primary).map((e) => e.address));
      expect(new Set(primaries).size).toBe(primaries.length);
    },
  );
});
