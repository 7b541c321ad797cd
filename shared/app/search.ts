import * as z from 'zod';
import type { Clock } from '../domain/clock.ts';
import type { Contact } from '../domain/contact.ts';
import { ValidationError } from '../domain/errors.ts';
import {
  compileFilter,
  compileSort,
  DEFAULT_SORT,
  FilterSchema,
  SortSchema,
  type CompiledFilter,
  type FilterContext,
  type SortKey,
} from '../domain/filter.ts';
import { fieldSpecOf, type FieldSpec } from '../domain/filter-fields.ts';
import { LIMITS } from '../domain/limits.ts';
import { parseOrThrow } from '../domain/validation.ts';
import { analyzeQuery, type AnalyzedQuery } from '../domain/search-text.ts';
import type { ContactRepository } from '../store/contacts.ts';
import type { CompanyRepository } from '../store/companies.ts';
import type { Company } from '../domain/company.ts';
import type { FieldDefinitionRepository } from '../store/fields.ts';
import {
  indexVersion,
  type ContactSearchIndex,
  type FacetCount,
  type RebuildReport,
  type ApplyReport,
  type IndexEntry,
} from '../search/port.ts';
import type { Settings } from './services.ts';

/** The body of `POST /v1/contacts/search` (DESIGN.md §5). */
export const SearchRequest = z.strictObject({
  query: z.string().max(LIMITS.maxSearchQueryLength).optional().meta({
    description: 'Free text: name fragments (prefix, typo- and accent-tolerant), email fragments, phone digits in any format.',
  }),
  filter: FilterSchema.optional(),
  sort: SortSchema.optional().meta({
    description: 'Default: relevance with a query, `createdAt` descending without. Ties break on `id`; missing values sort last.',
  }),
  limit: z.number().int().min(1).max(LIMITS.maxSearchPageSize).default(LIMITS.defaultPageSize),
  cursor: z.string().max(4096).nullable().optional(),
  facets: z.array(z.string().min(1).max(200)).max(LIMITS.maxFacets).optional().meta({
    description:
      'Fields to count values of over every match: tags, lifecycleStage, ownerId, leadSource, companyId, address.country, enum custom fields.',
  }),
});
export type SearchRequest = z.input<typeof SearchRequest>;

export interface SearchResult {
  results: Contact[];
  nextCursor: string | null;
  /** Every match across all pages. */
  total: number;
  facets?: Record<string, FacetCount[]>;
}

/**
 * Contact search, segments' selection and exports' iteration: compiles the request against the
 * live field definitions, asks the index for ids, and reads the contacts from the table (the
 * truth), so a result is never older than the table.
 */
export class ContactSearchService {
  readonly index: ContactSearchIndex;
  private readonly contacts: ContactRepository;
  private readonly companies: CompanyRepository;
  private readonly fields: FieldDefinitionRepository;
  private readonly clock: Clock;
  private readonly settings: Settings;

  constructor(deps: {
    index: ContactSearchIndex;
    contacts: ContactRepository;
    companies: CompanyRepository;
    fields: FieldDefinitionRepository;
    clock: Clock;
    settings: Settings;
  }) {
    this.index = deps.index;
    this.contacts = deps.contacts;
    this.companies = deps.companies;
    this.fields = deps.fields;
    this.clock = deps.clock;
    this.settings = deps.settings;
  }

  /** What compiling a filter needs now: the clock's time and the current custom field definitions. */
  async filterContext(): Promise<FilterContext> {
    return { now: this.clock.now(), definitions: await this.fields.all(), defaultRegion: this.settings.defaultPhoneRegion };
  }

  /** Checks a filter as a client sent it (422 naming each offending path under `basePath`). */
  async compile(filter: unknown, basePath = 'filter'): Promise<CompiledFilter> {
    return compileFilter(filter, await this.filterContext(), basePath);
  }

  async search(input: unknown): Promise<SearchResult> {
    const request = parseOrThrow(SearchRequest, input);
    const context = await this.filterContext();
    const filter = compileFilter(request.filter, context);
    const text = meaningfulText(request.query);
    const sort = request.sort?.length
      ? compileSort(request.sort, context)
      : text
        ? 'relevance'
        : compileSort(DEFAULT_SORT, context);
    const facets = (request.facets ?? []).map((path, i) => facetField(path, context, `facets[${i}]`));
    const page = await this.index.search({
      filter,
      sort,
      limit: request.limit,
      ...(text ? { text } : {}),
      ...(request.cursor ? { cursor: request.cursor } : {}),
      ...(facets.length > 0 ? { facets } : {}),
    });
    return {
      results: await this.activeContacts(page.ids),
      nextCursor: page.nextCursor,
      total: page.total,
      ...(facets.length > 0 ? { facets: page.facets } : {}),
    };
  }

  /**
   * Every contact a filter selects, page by page: what exports and bulk actions iterate. The
   * filter is compiled once, so relative dates hold still for the whole walk.
   */
  async *allMatching(filter: unknown, options: { pageSize?: number; sort?: SortKey[] } = {}): AsyncGenerator<Contact[]> {
    const context = await this.filterContext();
    const compiled = compileFilter(filter, context);
    const sort = compileSort(options.sort ?? [{ field: 'id', order: 'asc' }], context);
    let cursor: string | undefined;
    do {
      const page = await this.index.search({
        filter: compiled,
        sort,
        limit: options.pageSize ?? LIMITS.maxSearchPageSize,
        ...(cursor ? { cursor } : {}),
      });
      const contacts = await this.activeContacts(page.ids);
      if (contacts.length > 0) yield contacts;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /**
   * Brings the index in line with the table for one contact, as the search-indexer consumer does
   * on every contact event. A contact that is gone is tombstoned above the event's version, so no
   * later-arriving older write can bring it back.
   */
  async indexContact(id: string, eventVersion: number): Promise<ApplyReport> {
    const contact = await this.contacts.get(id, { consistent: true });
    if (!contact) return this.index.apply([{ id, version: indexVersion(eventVersion + 1) }]);
    return this.index.apply(await this.entriesOf([contact]));
  }

  /**
   * Erasure: the contact's document becomes a tombstone (no field but its id) above the version
   * of its record, whatever the record holds, so no late event brings the document back.
   */
  async forget(id: string): Promise<ApplyReport> {
    const record = await this.contacts.record(id, { consistent: true });
    return this.index.apply([{ id, version: indexVersion((record?.version ?? 0) + 1) }]);
  }

  /** Re-indexes the members of a company whose name may have changed (company events). */
  async indexCompany(companyId: string): Promise<ApplyReport> {
    const report: ApplyReport = { written: 0, stale: 0, rejected: [] };
    let cursor: string | undefined;
    do {
      const members = await this.companies.members(companyId, { limit: LIMITS.maxPageSize, cursor });
      const contacts = await this.contacts.getMany(members.results.map((m) => m.contactId));
      const page = await this.index.apply(await this.entriesOf(contacts));
      report.written += page.written;
      report.stale += page.stale;
      report.rejected.push(...page.rejected);
      cursor = members.nextCursor ?? undefined;
    } while (cursor);
    return report;
  }

  /** Rebuilds the whole index from the table's active contacts and swaps it in. */
  reindex(): Promise<RebuildReport> {
    return this.index.rebuild(this.allEntries());
  }

  private async *allEntries(): AsyncGenerator<IndexEntry[]> {
    const companies = new Map<string, Promise<Company | undefined>>();
    for await (const contacts of this.contacts.all('active')) yield await this.entriesOf(contacts, companies);
  }

  /** Index entries of contacts as read from the table, with their companies' names and versions. */
  private async entriesOf(
    contacts: readonly Contact[],
    companies = new Map<string, Promise<Company | undefined>>(),
  ): Promise<IndexEntry[]> {
    return Promise.all(
      contacts.map(async (contact) => {
        if (contact.status !== 'active' || !contact.companyId)
          return { id: contact.id, version: indexVersion(contact.version), contact };
        let company = companies.get(contact.companyId);
        if (!company) companies.set(contact.companyId, (company = this.companies.get(contact.companyId)));
        const found = await company;
        return {
          id: contact.id,
          version: indexVersion(contact.version, found?.version ?? 0),
          contact,
          ...(found ? { companyName: found.name } : {}),
        };
      }),
    );
  }

  /** At process start: create the index if there is none, and fill it from the table if it is new. */
  async prepare(): Promise<{ created: boolean; rebuilt?: RebuildReport }> {
    const { created } = await this.index.ensureReady();
    return created ? { created, rebuilt: await this.reindex() } : { created };
  }

  private async activeContacts(ids: readonly string[]): Promise<Contact[]> {
    const contacts: Contact[] = [];
    for (let i = 0; i < ids.length; i += LIMITS.maxPageSize) {
      contacts.push(...(await this.contacts.getMany(ids.slice(i, i + LIMITS.maxPageSize))));
    }
    // The index trails the table by up to a refresh: drop what left search in between.
    return contacts.filter((contact) => contact.status === 'active');
  }
}

function meaningfulText(query: string | undefined): AnalyzedQuery | undefined {
  if (query === undefined) return undefined;
  const text = analyzeQuery(query);
  return text.words.length > 0 || text.phoneDigits ? text : undefined;
}

function facetField(path: string, context: FilterContext, at: string): FieldSpec {
  const field = fieldSpecOf(path, context.definitions);
  if (!field || !field.facet) {
    throw ValidationError.of(
      at,
      'is not a field with facets (tags, lifecycleStage, ownerId, leadSource, companyId, address.country, enum custom fields)',
    );
  }
  return field;
}
