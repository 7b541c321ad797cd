import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { FieldDefinitionInput } from '../domain/custom-fields.ts';
import { ValidationError } from '../domain/errors.ts';
import type { CompiledSortKey } from '../domain/filter.ts';
import { LIMITS } from '../domain/limits.ts';
import { contactDocument, contactIndexMapping, isSearchable, tombstoneDocument } from './document.ts';
import { decodeSearchCursor, encodeSearchCursor, type SortValue } from './cursor.ts';
import { filterQuery, textQuery } from './opensearch-query.ts';
import type { ApplyReport, ContactSearchIndex, IndexEntry, IndexPage, IndexSearch, RebuildReport } from './port.ts';

export interface OpenSearchConfig {
  /** `http://127.0.0.1:9200` locally; the domain endpoint (`https://…`) in AWS. */
  url: string;
  /** Name of the read alias; writes go to `<name>-write`. Indexes behind them are `<name>-<timestamp>`. */
  indexName: string;
  /** Set to sign requests with SigV4 (service `es`), as Amazon OpenSearch Service requires. */
  awsRegion?: string;
  definitions: () => Promise<ReadonlyMap<string, FieldDefinitionInput>>;
}

/** Plain HTTP for a local node; SigV4 when the URL is https and the process runs with AWS credentials. */
export function openSearchConfigFromEnv(
  env: NodeJS.ProcessEnv,
  definitions: OpenSearchConfig['definitions'],
): OpenSearchConfig | undefined {
  const url = env.OPENSEARCH_URL;
  if (!url) return undefined;
  const hasAwsCredentials = Boolean(
    env.AWS_ACCESS_KEY_ID || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_PROFILE || env.AWS_LAMBDA_FUNCTION_NAME,
  );
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return {
    url,
    indexName: env.OPENSEARCH_INDEX ?? 'kith-contacts',
    ...(url.startsWith('https://') && hasAwsCredentials && region ? { awsRegion: region } : {}),
    definitions,
  };
}

interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string };
}

/** Statuses worth another attempt: throttling and the node's own trouble. */
const retryable = (status: number) => status === 429 || status >= 500;

/** The search port on OpenSearch: external versions, tombstones, one write alias and one read alias. */
export class OpenSearchContactIndex implements ContactSearchIndex {
  readonly engine = 'opensearch' as const;
  readonly client: Client;
  private readonly config: OpenSearchConfig;
  /** The alias searches read; rebuilds move it. */
  readonly readAlias: string;
  private readonly writeAlias: string;
  /** Checked once per process, so a write never auto-creates an unmapped index behind the alias. */
  private ready: Promise<unknown> | undefined;

  constructor(config: OpenSearchConfig) {
    this.config = config;
    this.readAlias = config.indexName;
    this.writeAlias = `${config.indexName}-write`;
    this.client = new Client({
      node: config.url,
      ...(config.awsRegion ? AwsSigv4Signer({ region: config.awsRegion, service: 'es', getCredentials: defaultProvider() }) : {}),
    });
  }

  async ensureReady(): Promise<{ created: boolean }> {
    const { body: exists } = await this.client.indices.existsAlias({ name: this.readAlias });
    if (exists) return { created: false };
    const index = await this.createIndex();
    try {
      await this.client.indices.updateAliases({
        body: {
          actions: [{ add: { index, alias: this.readAlias } }, { add: { index, alias: this.writeAlias, is_write_index: true } }],
        },
      });
    } catch (error) {
      // Another process created the aliases first: theirs stand, ours goes.
      await this.client.indices.delete({ index }).catch(() => undefined);
      if ((await this.client.indices.existsAlias({ name: this.readAlias })).body) return { created: false };
      throw error;
    }
    return { created: true };
  }

  async apply(entries: readonly IndexEntry[]): Promise<ApplyReport> {
    await this.readyOnce();
    return this.bulkIndex(entries, this.writeAlias);
  }

  async search(request: IndexSearch): Promise<IndexPage> {
    await this.readyOnce();
    const sort =
      request.sort === 'relevance'
        ? [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }]
        : [
            ...request.sort.map((key) => ({
              [key.field.docField]: { order: key.order, missing: missingLast(key), unmapped_type: unmappedType(key.field.kind) },
            })),
            { id: { order: 'asc' } },
          ];
    const after = request.cursor ? decodeSearchCursor(request.cursor, request.sort) : undefined;
    const body: Record<string, unknown> = {
      // One more than the page tells whether another page exists, so the last page has no cursor.
      size: request.limit + 1,
      track_total_hits: true,
      _source: false,
      query: {
        bool: {
          filter: [{ term: { deleted: false } }, filterQuery(request.filter)],
          ...(request.text ? { must: [textQuery(request.text)] } : {}),
        },
      },
      sort,
      ...(after ? { search_after: after } : {}),
      ...(request.facets?.length
        ? {
            aggs: Object.fromEntries(
              request.facets.map((field) => [
                field.path,
                { terms: { field: field.docField, size: LIMITS.maxFacetValues, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
              ]),
            ),
          }
        : {}),
    };
    let response;
    try {
      response = await this.client.search({ index: this.readAlias, body: body as never });
    } catch (error) {
      // A forged cursor can carry values of the wrong type for a field: the client's error, not ours.
      if (after && statusOf(error) === 400) throw ValidationError.of('cursor', 'does not fit this search');
      throw error;
    }
    const result = response.body as unknown as SearchResponseBody;
    const hits = result.hits.hits.slice(0, request.limit);
    const last = hits.at(-1);
    const facets: IndexPage['facets'] = {};
    for (const field of request.facets ?? []) {
      const buckets = result.aggregations?.[field.path]?.buckets ?? [];
      facets[field.path] = buckets.map((b) => ({ value: String(b.key_as_string ?? b.key), count: b.doc_count }));
    }
    return {
      ids: hits.map((hit) => hit._id),
      total: result.hits.total.value,
      nextCursor:
        result.hits.hits.length > request.limit && last ? encodeSearchCursor(request.sort, last.sort.map(fromSearchAfter)) : null,
      facets,
    };
  }

  /**
   * A new index behind the write alias first (so events during the scan land in it), then the
   * scan, then the read alias swapped in one atomic alias update, then the old index deleted.
   */
  async rebuild(scan: AsyncIterable<readonly IndexEntry[]>): Promise<RebuildReport> {
    const started = Date.now();
    await this.ensureReady();
    const previous = await this.indicesOf(this.readAlias);
    const previousWrite = await this.indicesOf(this.writeAlias);
    const index = await this.createIndex();
    await this.client.indices.updateAliases({
      body: {
        actions: [
          ...previousWrite.map((old) => ({ remove: { index: old, alias: this.writeAlias } })),
          { add: { index, alias: this.writeAlias, is_write_index: true } },
        ],
      },
    });
    const report: ApplyReport = { written: 0, stale: 0, rejected: [] };
    try {
      for await (const entries of scan) {
        const page = await this.bulkIndex(entries, index);
        report.written += page.written;
        report.stale += page.stale;
        report.rejected.push(...page.rejected);
      }
      await this.client.indices.refresh({ index });
      await this.client.indices.updateAliases({
        body: {
          actions: [
            ...previous.map((old) => ({ remove: { index: old, alias: this.readAlias } })),
            { add: { index, alias: this.readAlias } },
          ],
        },
      });
    } catch (error) {
      // Leave search as it was: writes go back to the old index, the half-built one goes.
      await this.client.indices
        .updateAliases({
          body: {
            actions: [
              { remove: { index, alias: this.writeAlias } },
              ...previousWrite.map((old) => ({ add: { index: old, alias: this.writeAlias, is_write_index: true } })),
            ],
          },
        })
        .catch(() => undefined);
      await this.client.indices.delete({ index }).catch(() => undefined);
      throw error;
    }
    for (const old of new Set([...previous, ...previousWrite])) {
      if (old !== index) await this.client.indices.delete({ index: old }).catch(() => undefined);
    }
    return { ...report, tookMs: Date.now() - started };
  }

  async refresh(): Promise<void> {
    await this.client.indices.refresh({ index: this.writeAlias });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Deletes every index behind this adapter's aliases (tests and benchmarks clean up with it). */
  async destroy(): Promise<void> {
    const indices = new Set([...(await this.indicesOf(this.readAlias)), ...(await this.indicesOf(this.writeAlias))]);
    for (const index of indices) await this.client.indices.delete({ index }).catch(() => undefined);
  }

  private readyOnce(): Promise<unknown> {
    return (this.ready ??= this.ensureReady().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    }));
  }

  private async createIndex(): Promise<string> {
    const index = `${this.config.indexName}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await this.client.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
        mappings: contactIndexMapping(),
      } as never,
    });
    return index;
  }

  private async indicesOf(alias: string): Promise<string[]> {
    try {
      const { body } = await this.client.indices.getAlias({ name: alias });
      return Object.keys(body as object);
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw error;
    }
  }

  /**
   * `_bulk` with `version_type: external`: 409 means the index already holds this version or a
   * newer one (done), 429/5xx are retried with backoff, anything else is reported and dropped.
   */
  private async bulkIndex(entries: readonly IndexEntry[], index: string): Promise<ApplyReport> {
    const report: ApplyReport = { written: 0, stale: 0, rejected: [] };
    const definitions = await this.config.definitions();
    for (let start = 0; start < entries.length; start += LIMITS.searchBulkSize) {
      let pending = entries.slice(start, start + LIMITS.searchBulkSize);
      for (let attempt = 1; pending.length > 0; attempt++) {
        const body = pending.flatMap((entry) => [
          { index: { _index: index, _id: entry.id, version: entry.version, version_type: 'external' } },
          isSearchable(entry.contact)
            ? contactDocument(entry.contact, definitions, entry.companyName)
            : tombstoneDocument(entry.id),
        ]);
        const { body: result } = await this.client.bulk({ body: body as never });
        const items = (result as unknown as { items: { index: BulkItemResult }[] }).items;
        const retry: IndexEntry[] = [];
        items.forEach((item, i) => {
          const entry = pending[i]!;
          const { status } = item.index;
          if (status === 200 || status === 201) report.written++;
          else if (status === 409) report.stale++;
          else if (retryable(status) && attempt < LIMITS.searchBulkAttempts) retry.push(entry);
          else
            report.rejected.push({
              id: entry.id,
              status,
              reason: item.index.error?.reason ?? item.index.error?.type ?? 'unknown',
            });
        });
        pending = retry;
        if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
    return report;
  }
}

interface SearchResponseBody {
  hits: { total: { value: number }; hits: { _id: string; sort: unknown[] }[] };
  aggregations?: Record<string, { buckets: { key: string | number; key_as_string?: string; doc_count: number }[] }>;
}

/**
 * Where a contact without the value sorts: last, in either order. Dates get an explicit value
 * beyond any real date instead of `_last`, whose Long.MIN/MAX sentinel a JSON number in
 * JavaScript cannot carry back in `search_after`.
 */
function missingLast(key: CompiledSortKey): string | number {
  if (key.field.kind !== 'date' && key.field.kind !== 'datetime') return '_last';
  return key.order === 'asc' ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

function unmappedType(kind: string): string {
  return kind === 'number'
    ? 'double'
    : kind === 'date' || kind === 'datetime'
      ? 'date'
      : kind === 'boolean'
        ? 'boolean'
        : 'keyword';
}

/**
 * A Long.MIN/MAX sort sentinel parses rounded in JavaScript, and OpenSearch refuses the rounded
 * value back; no real value of ours is an unsafe integer, so the cursor keeps it exactly.
 */
function fromSearchAfter(value: unknown): SortValue {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return value > 0 ? '9223372036854775807' : '-9223372036854775808';
  }
  return value as SortValue;
}

function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode;
}
