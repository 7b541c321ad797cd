import type { Contact } from '../domain/contact.ts';
import type { CompiledFilter, CompiledSortKey } from '../domain/filter.ts';
import type { FieldSpec } from '../domain/filter-fields.ts';
import type { AnalyzedQuery } from '../domain/search-text.ts';

/**
 * The contact search index: a port with two adapters (OpenSearch, embedded) that pass one
 * contract suite (test/helpers/search-contract.ts). It holds derived data only: the table is the
 * truth, and `rebuild` recreates the index from a scan of it.
 */
export interface ContactSearchIndex {
  readonly engine: 'opensearch' | 'embedded';
  /** Creates the index when there is none; `created` tells the caller to fill it (`rebuild`). */
  ensureReady(): Promise<{ created: boolean }>;
  /**
   * Writes each contact at its entity version. A contact that is not active (archived, merged,
   * erased) or gone (`contact` absent) becomes a tombstone that search never returns. An entry
   * whose version is not newer than the stored one changes nothing (counted `stale`), so late
   * and repeated events are harmless.
   */
  apply(entries: readonly IndexEntry[]): Promise<ApplyReport>;
  search(request: IndexSearch): Promise<IndexPage>;
  /** Builds a fresh index from every entry the scan yields, then swaps it in atomically. */
  rebuild(scan: AsyncIterable<readonly IndexEntry[]>): Promise<RebuildReport>;
  /** Makes every write so far visible to search (OpenSearch refreshes every second by itself). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface IndexEntry {
  id: string;
  /** The external version of the document: `indexVersion(contact, company)`. */
  version: number;
  /** The record as read from the table; absent when it is gone. */
  contact?: Contact;
  /** The name of the contact's company, searchable with the contact. */
  companyName?: string;
}

/**
 * Company versions a contact document can absorb before its own version must move: a contact's
 * document also carries its company's name, so its external version combines both entity
 * versions, contact first: a newer contact always wins, and for the same contact version a newer
 * company does. Exact in a double up to contact version 2^33.
 */
export const COMPANY_VERSION_SPAN = 2 ** 20;

export function indexVersion(contactVersion: number, companyVersion = 0): number {
  return contactVersion * COMPANY_VERSION_SPAN + Math.min(companyVersion, COMPANY_VERSION_SPAN - 1);
}

export interface ApplyReport {
  written: number;
  /** Older than or as old as what the index holds: nothing to do. */
  stale: number;
  /**
   * Not written: refused for good (400, a document the mapping rejects: report, never retry), or
   * still throttled (429/5xx) after the adapter's own retries (the caller may retry later).
   */
  rejected: { id: string; status: number; reason: string }[];
}

export interface RebuildReport extends ApplyReport {
  tookMs: number;
}

export type SortOrder = CompiledSortKey[] | 'relevance';

export interface IndexSearch {
  /** Free text (analyzed); absent = every contact the filter selects. */
  text?: AnalyzedQuery;
  filter: CompiledFilter;
  sort: SortOrder;
  limit: number;
  /** An opaque cursor from a previous page of the same search. */
  cursor?: string;
  /** Keyword fields to count values of, over every match (not only this page). */
  facets?: readonly FieldSpec[];
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface IndexPage {
  ids: string[];
  /** Every active contact that matches, across all pages. */
  total: number;
  nextCursor: string | null;
  /** By field path, most frequent first, at most LIMITS.maxFacetValues each. */
  facets: Record<string, FacetCount[]>;
}
