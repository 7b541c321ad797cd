import { beforeAll, describe, expect, it } from 'vitest';
import { freshServices } from '../helpers/store.ts';
import { ImportRunner, POSSIBLE_DUPLICATE_TAG, rowContactId } from '../../shared/app/import-runner.ts';
import type { Services } from '../../shared/app/services.ts';
import type { ImportJob, ImportRequest } from '../../shared/domain/jobs.ts';
import type { Contact } from '../../shared/domain/contact.ts';

let services: Services;
beforeAll(async () => {
  services = await freshServices();
});

/** Creates, uploads, starts and runs an import to the end, as the worker would. */
async function importFile(content: string | Buffer, request: Partial<ImportRequest> = {}): Promise<ImportJob> {
  const { job } = await services.imports.create(
    { format: 'csv', onDuplicate: 'skip', dryRun: false, allowSuppressed: false, ...request },
    'key:test',
  );
  await services.blobs.write(job.fileKey, content, 'text/csv');
  await services.imports.start(job.id);
  for (let i = 0; i < 5; i++) {
    const outcome = await new ImportRunner(services, `worker-${i}`).run(job.id, () => 10 * 60_000);
    if (outcome === 'finished') break;
  }
  return services.imports.get(job.id);
}

async function allContacts(): Promise<Contact[]> {
  const out: Contact[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.contacts.list('active', { limit: 100, cursor });
    out.push(...page.results);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

async function report(job: ImportJob): Promise<string> {
  if (!job.errorReportKey) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of await services.blobs.read(job.errorReportKey)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const MESSY =
  '\uFEFFFirst Name;Last Name;E-mail Address;Mobile Phone;Categories;Birthday\r\n' +
  'Ada;Lovelace;ADA@Example.com;+44 20 7946 0000;VIP;1815-12-10\r\n' +
  '"Grace";"Hopper";grace@navy.example;;"navy; ""legends""";12/9/1906\r\n' +
  'Alan;Turing;not-an-email;;;\r\n' +
  '"Multi\r\nLine";Person;multi@example.com;;;\r\n' +
  'Ada;L.;ada@example.com;;;\r\n' +
  ';;;;;\r\n' +
  'Katherine;Johnson;kj@example.com;;;31.02.1918\r\n';

describe('a CSV import', () => {
  it('creates valid rows, reports bad ones by row and column, and skips duplicates inside the file', async () => {
    const job = await importFile(MESSY, { preset: 'outlook' });
    expect(job.status).toBe('completed');
    expect(job.total).toBe(6);
    expect(job.counters).toMatchObject({ processed: 6, created: 3, skipped: 1, failed: 2 });
    const text = await report(job);
    expect(text.split('\r\n')[0]).toBe('row,column,value,message,severity');
    expect(text).toContain('3,E-mail Address,not-an-email,must be a valid email address,error');
    expect(text).toMatch(/5,,,duplicate of row 1 of this file; skipped,skipped/);
    expect(text).toMatch(/7,Birthday,31\.02\.1918,.*,error/);
    const contacts = await allContacts();
    const ada = contacts.find((c) => c.firstName === 'Ada')!;
    expect(ada).toMatchObject({ emails: [{ address: 'ada@example.com', primary: true }], tags: ['vip'], birthday: '1815-12-10' });
    expect(ada.phones[0]).toMatchObject({ number: '+442079460000', label: 'mobile' });
    expect(contacts.find((c) => c.lastName === 'Hopper')).toMatchObject({ tags: ['navy', '"legends"'], birthday: '1906-12-09' });
    expect(contacts.find((c) => c.lastName === 'Person')?.firstName).toBe('Multi Line');
    expect(ada.id).toBe(rowContactId(job, 1));
    // The upload holds personal data nobody needs once the job is done.
    expect(await services.blobs.stat(job.fileKey)).toBeUndefined();
  });

  it('creates nothing new when the same file is imported again', async () => {
    const before = (await allContacts()).length;
    const again = await importFile(MESSY, { preset: 'outlook' });
    expect(again.counters).toMatchObject({ processed: 6, created: 0, skipped: 4, failed: 2 });
    expect((await allContacts()).length).toBe(before);
    expect(await report(again)).toMatch(/matches existing contact .* \(email ada@example\.com\); skipped/);
  });

  it('updates the existing contact with onDuplicate: update, uniting lists and keeping what the file lacks', async () => {
    const job = await importFile('Email,Job Title,Tags\nada@example.com,Countess,math\n', { onDuplicate: 'update' });
    expect(job.counters).toMatchObject({ created: 0, updated: 1 });
    const ada = (await allContacts()).find((c) => c.firstName === 'Ada')!;
    expect(ada).toMatchObject({ jobTitle: 'Countess', tags: ['vip', 'math'], lastName: 'Lovelace' });
    const again = await importFile('Email,Job Title,Tags\nada@example.com,Countess,math\n', { onDuplicate: 'update' });
    expect(again.counters).toMatchObject({ updated: 0, skipped: 1, unchanged: 1 });
  });

  it('creates and tags a flagged duplicate without the email another contact holds', async () => {
    const job = await importFile('Name,Email,Phone\nAda Byron,ada@example.com,+1 212 555 0100\n', { onDuplicate: 'flag' });
    expect(job.counters).toMatchObject({ created: 1, flagged: 1 });
    const flagged = (await allContacts()).find((c) => c.lastName === 'Byron')!;
    expect(flagged.tags).toContain(POSSIBLE_DUPLICATE_TAG);
    expect(flagged.emails).toEqual([]);
    expect(flagged.phones[0]?.number).toBe('+12125550100');
  });

  it('writes nothing on a dry run and previews the mapping and the first rows', async () => {
    const before = (await allContacts()).length;
    const job = await importFile('Given,Surname,E-mail,Shoe size\nNew,Person,new@example.com,44\n', {
      dryRun: true,
      mapping: { Given: 'firstName', Surname: 'lastName' },
    });
    expect(job.counters).toMatchObject({ created: 1 });
    expect(job.appliedMapping?.unmapped).toEqual(['Shoe size']);
    expect(job.appliedMapping?.columns).toContainEqual({ header: 'E-mail', target: 'email' });
    expect(job.preview).toEqual([{ row: 1, contact: expect.objectContaining({ firstName: 'New', lastName: 'Person' }) }]);
    expect((await allContacts()).length).toBe(before);
  });

  it('reads a LinkedIn Connections export with its Notes preamble', async () => {
    const file =
      '\uFEFFNotes:\r\n"When exporting your connection data, you may notice that some of the email addresses are missing."\r\n\r\n' +
      'First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n' +
      'Priya,Sharma,https://www.linkedin.com/in/priya-sharma,,"Stripe, Inc.",Recruiter,12 Mar 2024\r\n';
    const job = await importFile(file);
    expect(job.appliedMapping?.preset).toBe('linkedin');
    expect(job.counters).toMatchObject({ created: 1, failed: 0 });
    const priya = (await allContacts()).find((c) => c.firstName === 'Priya')!;
    expect(priya).toMatchObject({
      jobTitle: 'Recruiter',
      socialProfiles: { linkedin: 'https://www.linkedin.com/in/priya-sharma' },
    });
  });

  it('skips people on the suppression list unless allowSuppressed', async () => {
    await services.suppressions.suppress(['email:gone@example.com'], 'erased');
    const skipped = await importFile('Email,First Name\ngone@example.com,Gone\n');
    expect(skipped.counters).toMatchObject({ created: 0, skipped: 1 });
    const allowed = await importFile('Email,First Name\ngone@example.com,Gone\n', { allowSuppressed: true });
    expect(allowed.counters).toMatchObject({ created: 1 });
  });

  it('fails the job with one clear sentence when the file cannot be read', async () => {
    const job = await importFile('Shoe size,Favourite colour\n44,blue\n');
    expect(job.status).toBe('failed');
    expect(job.failure).toMatch(/No column of the file maps to a contact field/);
  });
});
