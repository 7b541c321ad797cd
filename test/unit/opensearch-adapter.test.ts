import { describe, expect, it } from 'vitest';
import { OpenSearchContactIndex, openSearchConfigFromEnv } from '../../shared/search/opensearch.ts';
import fc from 'fast-check';
import { COMPANY_VERSION_SPAN, indexVersion } from '../../shared/search/port.ts';
import { storedContact } from '../helpers/contacts.ts';

/**
 * Failure paths of `_bulk` that a healthy node does not produce on demand (throttling, node
 * errors), against a stubbed client. Everything else runs on a real node (test/integration).
 */
function stubbedIndex(statusesPerCall: number[][]) {
  const index = new OpenSearchContactIndex({ url: 'http://127.0.0.1:1', indexName: 'stub', definitions: async () => new Map() });
  const calls: string[][] = [];
  const client = index.client as unknown as Record<string, unknown> & { indices: Record<string, unknown> };
  client.indices.existsAlias = async () => ({ body: true });
  client.bulk = async ({ body }: { body: { index?: { _id: string } }[] }) => {
    const ids = body.flatMap((line) => (line.index ? [line.index._id] : []));
    calls.push(ids);
    const statuses = statusesPerCall[calls.length - 1] ?? [];
    return {
      body: {
        errors: statuses.some((s) => s >= 300),
        items: ids.map((_, i) => ({
          index: {
            status: statuses[i] ?? 201,
            ...(statuses[i]! >= 300 ? { error: { type: 'x', reason: `status ${statuses[i]}` } } : {}),
          },
        })),
      },
    };
  };
  return { index, calls };
}

describe('the OpenSearch adapter’s bulk writes', () => {
  it('counts 409s as stale, retries 429 and 5xx items alone, and reports 400s without retrying them', async () => {
    const [a, b, c, d] = [storedContact(), storedContact(), storedContact(), storedContact()];
    const { index, calls } = stubbedIndex([
      [201, 409, 429, 400],
      [503], // c again: the node is unwell
      [200], // c a third time: written
    ]);
    const report = await index.apply([a, b, c, d].map((contact) => ({ id: contact.id, version: 1, contact })));
    expect(report).toEqual({ written: 2, stale: 1, rejected: [{ id: d.id, status: 400, reason: 'status 400' }] });
    expect(calls).toEqual([[a.id, b.id, c.id, d.id], [c.id], [c.id]]);
  });

  it('gives up on an item that keeps being throttled, and says so', async () => {
    const c = storedContact();
    const { index, calls } = stubbedIndex(Array.from({ length: 10 }, () => [429]));
    const report = await index.apply([{ id: c.id, version: 1, contact: c }]);
    expect(report.rejected).toEqual([{ id: c.id, status: 429, reason: 'status 429' }]);
    expect(calls.length).toBe(5);
  }, 20_000);
});

describe('choosing how to reach OpenSearch', () => {
  const definitions = async () => new Map();
  it('uses plain HTTP for a local node, and SigV4 for an https domain when AWS credentials exist', () => {
    expect(openSearchConfigFromEnv({}, definitions)).toBeUndefined();
    expect(openSearchConfigFromEnv({ OPENSEARCH_URL: 'http://127.0.0.1:9200' }, definitions)).not.toHaveProperty('awsRegion');
    const aws = openSearchConfigFromEnv(
      {
        OPENSEARCH_URL: 'https://search-kith.eu-west-1.es.amazonaws.com',
        AWS_REGION: 'eu-west-1',
        AWS_LAMBDA_FUNCTION_NAME: 'kith-search-indexer',
      },
      definitions,
    );
    expect(aws).toMatchObject({ awsRegion: 'eu-west-1', indexName: 'kith-contacts' });
    expect(
      openSearchConfigFromEnv({ OPENSEARCH_URL: 'https://search.example.com', AWS_REGION: 'eu-west-1' }, definitions),
    ).not.toHaveProperty('awsRegion');
  });
});

describe('the external version of a contact document', () => {
  it('orders by the contact version first, then by its company version, exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 33 - 2 }),
        fc.nat({ max: COMPANY_VERSION_SPAN - 1 }),
        fc.nat({ max: COMPANY_VERSION_SPAN - 1 }),
        (contact, companyA, companyB) => {
          expect(indexVersion(contact, companyA)).toBeLessThan(indexVersion(contact + 1, companyB));
          expect(Math.sign(indexVersion(contact, companyA) - indexVersion(contact, companyB))).toBe(
            Math.sign(companyA - companyB),
          );
          expect(Number.isSafeInteger(indexVersion(contact + 1, companyB))).toBe(true);
        },
      ),
    );
  });
});
