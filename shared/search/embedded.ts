import MiniSearch from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import type { Contact } from '../domain/contact.ts';
import { compareScalars, compareSortValues, matchesFilter, sortValuesOf, type FieldReader } from '../domain/filter.ts';
import type { Scalar } from '../domain/filter-fields.ts';
import { LIMITS } from '../domain/limits.ts';
import { searchTermsOf, typoBudget, type AnalyzedQuery, type ContactSearchTerms } from '../domain/search-text.ts';
import { decodeSearchCursor, encodeSearchCursor, type SortValue } from './cursor.ts';
import { isSearchable } from './document.ts';
import type { ApplyReport, ContactSearchIndex, FacetCount, IndexEntry, IndexPage, IndexSearch, RebuildReport } from './port.ts';

/** An exact whole name or address outranks any sum of word scores. */
const WHOLE_MATCH_BONUS = 1000;

interface TextDocument {
  id: string;
  names: string;
  emailTerms: string;
  company: string;
}

function textDocumentOf(id: string, terms: ContactSearchTerms): TextDocument {
  return { id, names: terms.names.join(' '), emailTerms: terms.emailTerms.join(' '), company: terms.company.join(' ') };
}

/** One generation of the index; `rebuild` fills a new one while the old one keeps answering. */
class IndexState {
  /** Every id ever applied, tombstones included, with its version: late events lose against it. */
  readonly versions = new Map<string, number>();
  readonly contacts = new Map<string, Contact>();
  readonly terms = new Map<string, ContactSearchTerms>();
  /**
   * Field values projected once per stored contact (folding text is the costly part of a filter),
   * by document field, like the OpenSearch document holds them.
   */
  private readonly projections = new WeakMap<Contact, Record<string, Scalar[]>>();
  readonly read: FieldReader = (field, contact) => {
    let values = this.projections.get(contact);
    if (!values) this.projections.set(contact, (values = {}));
    return (values[field.docField] ??= field.values(contact));
  };
  /**
   * Phone digit terms → contact ids, in MiniSearch's radix tree: a digit prefix such as `+1 415`
   * can match thousands of numbers, which a scored full-text search would rank one by one.
   */
  readonly phones = new SearchableMap<Set<string>>();
  readonly text = new MiniSearch<TextDocument>({
    fields: ['names', 'emailTerms', 'company'],
    // Terms arrive folded and split by shared/domain/search-text.ts; MiniSearch only stores and finds them.
    tokenize: (value) => value.split(' ').filter(Boolean),
    processTerm: (term) => term,
  });

  apply(entry: IndexEntry): 'written' | 'stale' {
    const stored = this.versions.get(entry.id);
    if (stored !== undefined && entry.version <= stored) return 'stale';
    this.versions.set(entry.id, entry.version);
    const previous = this.terms.get(entry.id);
    const searchable = isSearchable(entry.contact);
    if (this.text.has(entry.id)) {
      // Removed term by term rather than discarded: nothing of an old version (an erased person's
      // name) lingers in the index until some later vacuum.
      if (previous) this.text.remove(textDocumentOf(entry.id, previous));
      else this.text.discard(entry.id);
    }
    for (const term of previous?.phones ?? []) {
      const ids = this.phones.get(term);
      ids?.delete(entry.id);
      if (ids?.size === 0) this.phones.delete(term);
    }
    if (searchable) {
      const terms = searchTermsOf(entry.contact!, entry.companyName);
      this.contacts.set(entry.id, entry.contact!);
      this.terms.set(entry.id, terms);
      this.text.add(textDocumentOf(entry.id, terms));
      for (const term of terms.phones) this.phones.fetch(term, () => new Set()).add(entry.id);
    } else {
      this.contacts.delete(entry.id);
      this.terms.delete(entry.id);
    }
    return 'written';
  }

  /** Ids the text matches, with their scores. */
  textMatches(text: AnalyzedQuery): Map<string, number> {
    const scores = new Map<string, number>();
    if (text.phoneDigits) {
      for (const [, ids] of this.phones.atPrefix(text.phoneDigits)) for (const id of ids) scores.set(id, 1);
      return scores;
    }
    const query = {
      combineWith: 'AND' as const,
      queries: text.words.map((forms) => ({
        combineWith: 'OR' as const,
        queries: forms.flatMap((form) => [
          { queries: [form], fields: ['names'], prefix: true, fuzzy: typoBudget(form) || false },
          { queries: [form], fields: ['emailTerms', 'company'], prefix: true, fuzzy: false },
        ]),
      })),
    };
    for (const result of this.text.search(query)) {
      const terms = this.terms.get(result.id as string);
      const whole = terms && (terms.fullNames.includes(text.whole) || terms.emails.includes(text.whole));
      scores.set(result.id as string, result.score + (whole ? WHOLE_MATCH_BONUS : 0));
    }
    return scores;
  }
}

/**
 * The search port in memory, for `npm start` without OpenSearch: MiniSearch for free text, the
 * domain's filter evaluator for filters. Rebuilt from a table scan at start, then kept current
 * by the search-indexer consumer like OpenSearch is.
 */
export class EmbeddedContactIndex implements ContactSearchIndex {
  readonly engine = 'embedded' as const;
  private state = new IndexState();
  private building: IndexState | undefined;

  async ensureReady(): Promise<{ created: boolean }> {
    return { created: this.state.versions.size === 0 };
  }

  /** Everything the index holds, serialized: what a test reads to prove an erased person left it. */
  dump(): string {
    const { state } = this;
    return JSON.stringify({
      contacts: [...state.contacts.values()],
      terms: [...state.terms.values()],
      text: state.text.toJSON(),
      phones: [...state.phones.keys()],
    });
  }

  async apply(entries: readonly IndexEntry[]): Promise<ApplyReport> {
    const report: ApplyReport = { written: 0, stale: 0, rejected: [] };
    for (const entry of entries) {
      report[this.state.apply(entry)]++;
      this.building?.apply(entry);
    }
    return report;
  }

  async search(request: IndexSearch): Promise<IndexPage> {
    const { state } = this;
    const scores = request.text ? state.textMatches(request.text) : undefined;
    const candidates = scores ? [...scores.keys()].flatMap((id) => state.contacts.get(id) ?? []) : state.contacts.values();
    const matches: Contact[] = [];
    for (const contact of candidates) if (matchesFilter(request.filter, contact, state.read)) matches.push(contact);

    const facets: IndexPage['facets'] = {};
    for (const field of request.facets ?? []) facets[field.path] = countValues(matches, (contact) => state.read(field, contact));

    const positioned = matches.map((contact) => ({
      id: contact.id,
      at:
        request.sort === 'relevance'
          ? [scores?.get(contact.id) ?? 0, contact.id]
          : sortValuesOf(contact, request.sort, state.read),
    }));
    const compare =
      request.sort === 'relevance'
        ? (a: SortValue[], b: SortValue[]) =>
            (b[0] as number) - (a[0] as number) || compareScalars(a[1] as string, b[1] as string)
        : (a: SortValue[], b: SortValue[]) => compareSortValues(a, b, request.sort as Exclude<IndexSearch['sort'], 'relevance'>);
    const after = request.cursor ? decodeSearchCursor(request.cursor, request.sort) : undefined;
    const rest = after ? positioned.filter((p) => compare(p.at, after) > 0) : positioned;
    const page = smallest(rest, request.limit, (a, b) => compare(a.at, b.at));
    const last = page.at(-1);
    return {
      ids: page.map((p) => p.id),
      total: matches.length,
      nextCursor:
        page.length === request.limit && rest.length > request.limit && last ? encodeSearchCursor(request.sort, last.at) : null,
      facets,
    };
  }

  async rebuild(scan: AsyncIterable<readonly IndexEntry[]>): Promise<RebuildReport> {
    const started = Date.now();
    const next = new IndexState();
    this.building = next;
    const report: ApplyReport = { written: 0, stale: 0, rejected: [] };
    try {
      for await (const entries of scan) for (const entry of entries) report[next.apply(entry)]++;
      this.state = next;
    } finally {
      this.building = undefined;
    }
    return { ...report, tookMs: Date.now() - started };
  }

  async refresh(): Promise<void> {}

  async close(): Promise<void> {}

  /** Contacts the index holds as searchable (for diagnostics and tests). */
  get size(): number {
    return this.state.contacts.size;
  }
}

/** Most frequent first, then by value, like OpenSearch's terms aggregation. */
function countValues(contacts: readonly Contact[], values: (contact: Contact) => unknown[]): FacetCount[] {
  const counts = new Map<string, number>();
  for (const contact of contacts) {
    for (const value of values(contact)) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || compareScalars(a.value, b.value))
    .slice(0, LIMITS.maxFacetValues);
}

/** The `limit` smallest items in order, without sorting everything when the page is small. */
function smallest<T>(items: readonly T[], limit: number, compare: (a: T, b: T) => number): T[] {
  if (items.length <= limit * 4) return [...items].sort(compare).slice(0, limit);
  const page: T[] = [];
  for (const item of items) {
    if (page.length === limit && compare(item, page[limit - 1]!) >= 0) continue;
    let i = page.length === limit ? limit - 1 : page.length;
    while (i > 0 && compare(item, page[i - 1]!) < 0) {
      page[i] = page[i - 1]!;
      i--;
    }
    page[i] = item;
    if (page.length > limit) page.length = limit;
  }
  return page;
}
