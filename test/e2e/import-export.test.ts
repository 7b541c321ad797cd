import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';
import { writableFields, type Contact } from '../../shared/domain/contact.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'kith-cli-'));

let api: TestApi;
let other: TestApi;
let third: TestApi;
beforeAll(async () => {
  [api, other, third] = await Promise.all([startTestApi(), startTestApi(), startTestApi()]);
});
afterAll(async () => {
  await Promise.all([api?.stop(), other?.stop(), third?.stop()]);
});

async function kith(target: TestApi, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['cli/main.ts', ...args], {
      env: { ...process.env, KITH_URL: target.url, KITH_API_KEY: target.adminKey },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function everyContact(target: TestApi): Promise<Contact[]> {
  const out: Contact[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { results: Contact[]; nextCursor: string | null } } = await target.request(
      'GET',
      `/v1/contacts?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.body.results);
    cursor = page.body.nextCursor;
  } while (cursor);
  return out;
}

describe('kith import over HTTP', () => {
  const file = join(dir, 'google.csv');
  writeFileSync(
    file,
    'First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Birthday\n' +
      'Grace,Hopper,* myContacts ::: Navy,* Work,grace@navy.example,Home,grace@example.com,Mobile,+1 212 555 0199,1906-12-09\n' +
      'Alice,Smith,* Other Contacts,* ,alice@example.com,,,,,--05-17\n' +
      'Bad,Phone,,,,,,Mobile,123,\n',
  );

  it('imports a Google export and prints the job report as the last line of stdout', async () => {
    const { code, stdout } = await kith(api, ['import', file, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ status: 'completed', created: 2, updated: 0, skipped: 0, failed: 1, warnings: 1, total: 3 });
    const grace = (await everyContact(api)).find((c) => c.firstName === 'Grace')!;
    expect(grace.emails).toEqual([
      { address: 'grace@navy.example', label: 'work', primary: true },
      { address: 'grace@example.com', label: 'home', primary: false },
    ]);
    expect(grace.tags).toEqual(['navy']);
  });

  it('creates nothing new on a second run, and saves the error report on request', async () => {
    const errors = join(dir, 'errors.csv');
    const { code, stdout } = await kith(api, ['import', file, '--json', '--errors', errors]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ created: 0, skipped: 2, failed: 1 });
    const report = readFileSync(errors, 'utf8');
    expect(report).toMatch(/^row,column,value,message,severity\r\n/);
    expect(report).toContain('3,Phone 1 - Value,123,"must be a valid phone number (add the country code, e.g. +44)",error');
    expect(report).toContain("2,Birthday,'--05-17,has no year; the birthday was left out,warning");
  });

  it('prints a summary table and the mapping for people, and exits 2 on a wrong option', async () => {
    const { stdout } = await kith(api, ['import', file, '--dry-run']);
    expect(stdout).toMatch(/Dry run of import .*: completed/);
    expect(stdout).toMatch(/Mapping \(google\): First Name → firstName/);
    expect((await kith(api, ['import', file, '--on-duplicate', 'merge'])).code).toBe(2);
  });

  it('rebuilds the search index through kith reindex', async () => {
    const { code, stderr } = await kith(api, ['reindex']);
    expect(code, stderr).toBe(0);
  });

  it('lists dead letters and runs the duplicate audit through the routes other capabilities serve', async () => {
    const dlq = await kith(api, ['dlq', 'list']);
    expect(dlq.code, dlq.stderr).toBe(0);
    const audit = await kith(api, ['dedup', 'audit']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/contacts\s+\d+/);
  });
});

describe('export → import round trip', () => {
  it('gives the same contacts through vCard 4.0 and vCard 3.0', async () => {
    for (const target of [api, other, third]) {
      await target.request('POST', '/v1/fields', {
        body: { key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver'] },
      });
      await target.request('POST', '/v1/fields', { body: { key: 'seats', label: 'Seats', type: 'number' } });
    }
    const people = [
      {
        firstName: 'Zoë',
        middleName: 'Å.',
        lastName: "O'Brien; Smith, Jr",
        prefix: 'Dr.',
        nickname: 'Zo',
        emails: [
          { address: 'zoe@example.com', label: 'work' },
          { address: 'zoe@home.example', label: 'home' },
        ],
        phones: [{ number: '+44 20 7946 0001', label: 'mobile' }],
        birthday: '1980-02-29',
        jobTitle: 'Head of ☃ snowmen, and "quotes"',
        department: 'R&D',
        tags: ['vip', 'a,b'],
        address: { street: '1 Long Road\nFlat 2', city: 'Zürich', postalCode: '8001', country: 'CH' },
        socialProfiles: { linkedin: 'https://www.linkedin.com/in/zoe' },
        externalIds: { salesforce: '003ABC' },
        customFields: { tier: 'gold', seats: 12 },
        lifecycleStage: 'customer',
        leadSource: 'referral',
        timeZone: 'Europe/Zurich',
        consent: { email: { status: 'granted', at: '2024-01-01T00:00:00.000Z', source: 'form' } },
      },
      { firstName: '李', lastName: '小龙'.repeat(30), phones: [{ number: '+81 3 1234 5678' }] },
      { emails: [{ address: 'only-email@example.com' }] },
    ];
    for (const body of people) expect((await api.request('POST', '/v1/contacts', { body })).status).toBe(201);
    const comparable = (contacts: Contact[]) =>
      contacts.map((c) => JSON.stringify(writableFields(c), Object.keys(writableFields(c)).sort())).sort();
    const original = comparable(await everyContact(api));

    for (const [format, target] of [
      ['vcard', other],
      ['vcard3', third],
    ] as const) {
      const out = join(dir, `contacts-${format}.vcf`);
      const exported = await kith(api, ['export', '--format', format, '--out', out]);
      expect(exported.code, exported.stderr).toBe(0);
      const text = readFileSync(out, 'utf8');
      expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
      expect(text).toContain(format === 'vcard' ? 'VERSION:4.0' : 'VERSION:3.0');
      const imported = await kith(target, ['import', out, '--json']);
      expect(imported.code, imported.stderr).toBe(0);
      expect(JSON.parse(imported.stdout.trim().split('\n').at(-1)!)).toMatchObject({ created: original.length, failed: 0 });
      expect(comparable(await everyContact(target))).toEqual(original);
    }
  });
});

// After the round trip, which compares whole tables.
describe('kith seed and api-key', () => {
  it('seeds demo people, near-duplicates included, into companies', async () => {
    const { code, stdout, stderr } = await kith(third, ['seed', '--count', '60', '--seed', '7']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/created\s+60/);
    const contacts = await everyContact(third);
    expect(contacts.length).toBeGreaterThanOrEqual(60);
    expect(contacts.filter((c) => c.companyId).length).toBeGreaterThanOrEqual(60);
  });

  it('creates a key whose secret works, lists it and revokes it', async () => {
    const created = await kith(api, ['api-key', 'create', '--name', 'ci', '--role', 'viewer']);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect((await api.request('GET', '/v1/me', { key: secret })).body).toMatchObject({ role: 'viewer' });
    const listed = await kith(api, ['api-key', 'list', '--json']);
    const key = (JSON.parse(listed.stdout) as { id: string; name: string }[]).find((k) => k.name === 'ci')!;
    expect((await kith(api, ['api-key', 'revoke', key.id])).code).toBe(0);
    expect((await api.request('GET', '/v1/me', { key: secret })).status).toBe(401);
  });
});

describe('exports of a segment or a filter', () => {
  it('export exactly the contacts the search selects', async () => {
    await third.runtime.pipeline.drain();
    const filter = { field: 'tags', op: 'contains', value: 'vip' };
    const searched = await third.request('POST', '/v1/contacts/search', { body: { filter, limit: 1 } });
    const expected = searched.body.total as number;
    expect(expected).toBeGreaterThan(0);
    const segment = await third.request('POST', '/v1/segments', { body: { name: 'VIPs', filter } });
    expect(segment.status).toBe(201);

    const out = join(dir, 'vips.jsonl');
    const bySegment = await kith(third, ['export', '--format', 'json', '--segment', segment.body.id, '--out', out]);
    expect(bySegment.code, bySegment.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Contact);
    expect(lines).toHaveLength(expected);
    expect(lines.every((c) => c.tags.includes('vip'))).toBe(true);

    const byFilter = await third.request('POST', '/v1/exports', { body: { format: 'csv', filter } });
    expect(byFilter.status).toBe(202);
    let job = byFilter.body;
    while (job.status !== 'completed' && job.status !== 'failed') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await third.request('GET', `/v1/exports/${job.id}`)).body;
    }
    expect(job).toMatchObject({ status: 'completed', exported: expected });
    const bad = await third.request('POST', '/v1/exports', {
      body: { format: 'csv', filter: { field: 'shoeSize', op: 'eq', value: 1 } },
    });
    expect(bad.status).toBe(422);
  });
});
