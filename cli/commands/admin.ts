import { EXIT, type KithClient } from '../client.ts';
import { table } from '../progress.ts';

/** Commands whose routes other capabilities serve: they print what the server says, 404 included. */
export async function dedupAudit(client: KithClient): Promise<number> {
  print(await client.request('POST', '/v1/admin/dedup/audit', {}));
  return EXIT.ok;
}

export async function reindex(client: KithClient): Promise<number> {
  print(await client.request('POST', '/v1/admin/reindex', {}));
  return EXIT.ok;
}

export async function dlqList(client: KithClient): Promise<number> {
  print(await client.request('GET', '/v1/admin/dead-letters'));
  return EXIT.ok;
}

export async function dlqRedrive(client: KithClient): Promise<number> {
  print(await client.request('POST', '/v1/admin/dead-letters/redrive', {}));
  return EXIT.ok;
}

interface ApiKey {
  id: string;
  name: string;
  role: string;
  hint: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
  secret?: string;
}

export async function apiKeyCreate(client: KithClient, name: string, role: string): Promise<number> {
  const key = await client.request<ApiKey>('POST', '/v1/api-keys', { name, role });
  process.stdout.write(`${key.secret}\n`);
  process.stderr.write(`Created ${key.role} key ${key.id} (${key.name}). The secret above is shown once; store it now.\n`);
  return EXIT.ok;
}

export async function apiKeyList(client: KithClient, json: boolean): Promise<number> {
  const keys: ApiKey[] = [];
  let cursor: string | null = null;
  do {
    const page: { results: ApiKey[]; nextCursor: string | null } = await client.request(
      'GET',
      `/v1/api-keys?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    keys.push(...page.results);
    cursor = page.nextCursor;
  } while (cursor);
  if (json) process.stdout.write(`${JSON.stringify(keys)}\n`);
  else
    for (const key of keys)
      process.stdout.write(
        `${key.id}  ${key.role.padEnd(7)}  ${key.hint.padEnd(12)}  ${key.revokedAt ? 'revoked' : 'active '}  ${key.name}\n`,
      );
  return EXIT.ok;
}

export async function apiKeyRevoke(client: KithClient, id: string): Promise<number> {
  await client.request('DELETE', `/v1/api-keys/${encodeURIComponent(id)}`);
  process.stderr.write(`Revoked ${id}.\n`);
  return EXIT.ok;
}

function print(value: unknown): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const flat = Object.entries(value).filter(([, v]) => typeof v !== 'object' || v === null);
    if (flat.length === Object.keys(value).length) {
      process.stdout.write(`${table(flat.map(([k, v]) => [k, String(v)]))}\n`);
      return;
    }
  }
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
