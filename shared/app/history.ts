import * as z from 'zod/mini';
import { NotFoundError } from '../domain/errors.ts';
import type { HistoryEntity } from '../store/keys.ts';
import { HistoryRepository, type HistoryEntry } from '../store/history.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { KithEvent } from '../events/types.ts';
import type { Needs } from './services.ts';

const HISTORY_ENTITIES = ['contact', 'company'] as const satisfies readonly HistoryEntity[];

/**
 * The part of a domain event that field history reads; anything else in it is ignored. zod's
 * tree-shakable mini API: the history consumer's bundle carries none of the API's schemas.
 */
const HistoryEvent = z.object({
  'detail-type': z.string().check(z.minLength(1)),
  detail: z.object({
    eventId: z.string().check(z.minLength(1)),
    entity: z.string(),
    id: z.string().check(z.minLength(1)),
    version: z.int().check(z.positive()),
    actor: z.string(),
    occurredAt: z.iso.datetime(),
    data: z.optional(
      z.object({
        mergedInto: z.optional(z.string().check(z.minLength(1))),
        changes: z.optional(z.record(z.string(), z.object({ from: z.optional(z.unknown()), to: z.optional(z.unknown()) }))),
        changesOmitted: z.optional(z.array(z.string())),
      }),
    ),
  }),
});

export type HistoryOutcome = 'recorded' | 'duplicate' | 'erased' | 'nothing_to_record';

/**
 * The history entry an event describes, or `undefined` when there is nothing to keep: another
 * entity, a deletion (a deleted record keeps no values, so erasure can remove everything), or a
 * write that changed no field. Throws on an event that is not a domain event at all.
 */
export function historyEntryOf(event: KithEvent): HistoryEntry | undefined {
  const { 'detail-type': type, detail } = HistoryEvent.parse(event);
  const entity = HISTORY_ENTITIES.find((e) => e === detail.entity);
  if (!entity || type === `${entity}.deleted`) return undefined;
  const changes = Object.entries(detail.data?.changes ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([field, change]) => ({ field, ...change }));
  const omitted = detail.data?.changesOmitted ?? [];
  if (changes.length === 0 && omitted.length === 0) return undefined;
  return {
    entity,
    entityId: detail.id,
    version: detail.version,
    eventId: detail.eventId,
    event: type,
    actor: detail.actor,
    occurredAt: detail.occurredAt,
    changes,
    ...(omitted.length > 0 ? { changesOmitted: omitted } : {}),
  };
}

/** Field history of contacts and companies: recorded from events, read by the API. */
export class FieldHistoryService {
  private readonly repository: HistoryRepository;
  private readonly exists: Record<HistoryEntity, (id: string) => Promise<boolean>>;

  constructor(repository: HistoryRepository, exists: Record<HistoryEntity, (id: string) => Promise<boolean>>) {
    this.repository = repository;
    this.exists = exists;
  }

  /**
   * Safe to call with the same event again and with events in any order. A merge is recorded in
   * the survivor's history: the loser's partition has been moved there already.
   */
  async record(event: KithEvent): Promise<HistoryOutcome> {
    const entry = historyEntryOf(event);
    if (!entry) return 'nothing_to_record';
    const mergedInto = entry.event === 'contact.merged' ? event.detail.data?.mergedInto : undefined;
    return this.repository.record(entry, typeof mergedInto === 'string' ? mergedInto : entry.entityId);
  }

  /** Newest first; 404 for an entity that does not exist. */
  async list(entity: HistoryEntity, id: string, page: PageRequest): Promise<Page<HistoryEntry>> {
    if (!(await this.exists[entity](id))) throw new NotFoundError(entity, id);
    return this.repository.list(entity, id, page);
  }
}

export const fieldHistoryService = ({
  store,
  contactRepository,
  companyRepository,
}: Needs<'store' | 'contactRepository' | 'companyRepository'>) =>
  new FieldHistoryService(new HistoryRepository(store), {
    contact: async (id) => (await contactRepository.get(id)) !== undefined,
    company: async (id) => (await companyRepository.get(id)) !== undefined,
  });
