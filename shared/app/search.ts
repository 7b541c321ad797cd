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
import type { FieldDefinitionRepository } from '../store/fields.ts';
import type { ContactSearchIndex, FacetCount } from '../search/port.ts';
import { SearchIndexing } from './search-indexing.ts';
import type { Needs, Settings } from './services.ts';

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
export class ContactSearchService extends SearchIndexing {
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
    super(deps);
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

export const contactSearchService = (
  parts: Needs<'searchIndex' | 'contactRepository' | 'companyRepository' | 'fields' | 'clock' | 'settings'>,
) =>
  new ContactSearchService({
    index: parts.searchIndex,
    contacts: parts.contactRepository,
    companies: parts.companyRepository,
    fields: parts.fields,
    clock: parts.clock,
    settings: parts.settings,
  });
