import type { Contact } from '../domain/contact.ts';
import { patchSegment, SegmentInput, type Segment, type SegmentPatch } from '../domain/segment.ts';
import type { SortKey } from '../domain/filter.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { SegmentRepository } from '../store/segments.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { ContactSearchService, SearchResult } from './search.ts';
import { writeWithRetry } from './optimistic.ts';
import type { Needs } from './services.ts';

/** Saved filters. A filter is checked against the field definitions when it is saved (422) and compiled afresh at each use. */
export class SegmentService {
  readonly repository: SegmentRepository;
  private readonly search: ContactSearchService;

  constructor(repository: SegmentRepository, search: ContactSearchService) {
    this.repository = repository;
    this.search = search;
  }

  async create(input: SegmentInput, actor: string): Promise<Segment> {
    await this.search.compile(input.filter);
    return this.repository.create(input, actor);
  }

  get(id: string): Promise<Segment> {
    return this.repository.require(id);
  }

  list(page: PageRequest): Promise<Page<Segment>> {
    return this.repository.list(page);
  }

  async update(id: string, patch: SegmentPatch, actor: string, ifMatch?: number): Promise<Segment> {
    if (patch.filter !== undefined) await this.search.compile(patch.filter);
    return writeWithRetry({
      entity: 'segment',
      id,
      ifMatch,
      load: () => this.repository.require(id),
      write: (current) => this.repository.replace(current, parseOrThrow(SegmentInput, patchSegment(current, patch)), actor),
    });
  }

  async delete(id: string, ifMatch?: number): Promise<void> {
    const current = await this.repository.require(id);
    await this.repository.delete(id, ifMatch ?? current.version);
  }

  /** One page of the segment's contacts, with the total count. */
  async contacts(id: string, page: { limit: number; cursor?: string; sort?: SortKey[] }): Promise<SearchResult> {
    const segment = await this.repository.require(id);
    return this.search.search({ filter: segment.filter, limit: page.limit, cursor: page.cursor, sort: page.sort });
  }

  /** Every contact of the segment, page by page (exports, bulk actions). */
  async *allContacts(id: string): AsyncGenerator<Contact[]> {
    const segment = await this.repository.require(id);
    yield* this.search.allMatching(segment.filter);
  }
}

export const segmentService = ({ segmentRepository, search }: Needs<'segmentRepository' | 'search'>) =>
  new SegmentService(segmentRepository, search);
