import { CliError, EXIT, type KithClient } from '../client.ts';
import { ProgressBar, table } from '../progress.ts';
import { demoPerson, nearDuplicate, random, type DemoPerson } from '../demo-people.ts';

const BATCH = 100;
const CONCURRENCY = 4;
const NEAR_DUPLICATE_SHARE = 0.03;

interface BatchResponse {
  succeeded: number;
  failed: number;
  results: { status: number; error?: { detail?: string } }[];
}

/** `kith seed --count 500`: demo contacts across cultures and companies, with a few near-duplicates. */
export async function seedCommand(client: KithClient, count: number, seed: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000)
    throw new CliError('--count must be a whole number from 1 to 1000000.', EXIT.usage);
  const rand = random(seed);
  const companies = await companyIds(client, rand);
  const people: DemoPerson[] = [];
  for (let n = 0; people.length < count; n++) {
    const previous = people.length > 0 && rand() < NEAR_DUPLICATE_SHARE ? people[Math.floor(rand() * people.length)] : undefined;
    people.push(previous ? nearDuplicate(previous, n, rand) : demoPerson(n + seed * 1_000_000, rand));
  }
  const bar = new ProgressBar();
  let created = 0;
  let failed = 0;
  const firstFailures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < people.length) {
        const slice = people.slice(next, next + BATCH);
        next += BATCH;
        const response = await client.request<BatchResponse>('POST', '/v1/contacts/batch', {
          operations: slice.map((p) => ({ op: 'create', contact: contactOf(p, companies.get(p.company)) })),
        });
        created += response.succeeded;
        failed += response.failed;
        for (const r of response.results)
          if (r.status >= 400 && firstFailures.length < 3) firstFailures.push(r.error?.detail ?? String(r.status));
        bar.update(created + failed, people.length, 'contacts');
      }
    }),
  );
  bar.finish();
  process.stdout.write(
    `${table([
      ['created', created],
      ['failed', failed],
      ['companies', companies.size],
    ])}\n`,
  );
  for (const failure of firstFailures) process.stdout.write(`  e.g. ${failure}\n`);
  return failed > 0 && created === 0 ? EXIT.failed : EXIT.ok;
}

function contactOf(person: DemoPerson, companyId: string | undefined) {
  return {
    firstName: person.firstName,
    lastName: person.lastName,
    emails: [{ address: person.email, label: 'work' }],
    phones: [{ number: person.phone, label: 'work' }],
    jobTitle: person.jobTitle,
    tags: person.tags,
    address: { city: person.city, country: person.country },
    ...(companyId ? { companyId } : {}),
  };
}

/** The demo companies, created once and found again by name on later runs. */
async function companyIds(client: KithClient, rand: () => number): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  const page = await client.request<{ results: { id: string; name: string }[] }>('GET', '/v1/companies?limit=100');
  for (const company of page.results) byName.set(company.name, company.id);
  const names = new Set<string>();
  for (let i = 0; i < 200; i++) names.add(demoPerson(i, rand).company);
  for (const name of names) {
    if (byName.has(name)) continue;
    const company = await client.request<{ id: string }>('POST', '/v1/companies', { name });
    byName.set(name, company.id);
  }
  return byName;
}
