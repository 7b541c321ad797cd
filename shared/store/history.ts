import { idFor } from '../domain/ids.ts';
import { ITEM_TYPES, keys, type HistoryEntity } from './keys.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import { isConditionFailure, transactWrite, tryTransactWrite, type GuardedWrite } from './transact.ts';
import type { Store } from './client.ts';

/** One field's change in a history entry: `from` absent = it was unset, `to` absent = it was removed. */
export interface FieldChangeRecord {
  field: string;
  from?: unknown;
  to?: unknown;
}

/** Who changed which fields of one entity version, from what to what, and when. */
export interface HistoryEntry {
  entity: HistoryEntity;
  entityId: string;
  version: number;
  /** The domain event it was recorded from. */
  eventId: string;
  /** The event's detail-type, e.g. `contact.updated` or `contact.archived`. */
  event: string;
  actor: string;
  occurredAt: string;
  changes: FieldChangeRecord[];
  /** Fields that changed but whose values were too large to travel in the event. */
  changesOmitted?: string[];
}

/**
 * Field history items, in the entity's own partition under `HIST#<ulid>` sort keys. The ULID is
 * derived from the change itself (its time; entity, id and version), so recording the same
 * event twice, or another delivery of the same version, is one conditional put on one key,
 * whatever order events come in.
 */
export class HistoryRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /**
   * Writes the entry into `ownerId`'s history (the entity's own, unless it was merged away). A
   * contact's entry is written only while the contact is not erased: an event that arrives after
   * the erasure must not bring the values back (`erased`).
   */
  async record(entry: HistoryEntry, ownerId: string = entry.entityId): Promise<'recorded' | 'duplicate' | 'erased'> {
    const entryId = idFor(Date.parse(entry.occurredAt), `${entry.entity}#${entry.entityId}#${entry.version}`);
    const put: GuardedWrite = {
      item: {
        Put: {
          TableName: this.store.tableName,
          Item: { ...keys.history(entry.entity, ownerId, entryId), entityType: ITEM_TYPES.history, ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
    if (entry.entity !== 'contact') {
      try {
        await transactWrite(this.store, [put]);
        return 'recorded';
      } catch (error) {
        if (isConditionFailure(error)) return 'duplicate';
        throw error;
      }
    }
    const notErased: GuardedWrite = {
      item: {
        ConditionCheck: {
          TableName: this.store.tableName,
          Key: keys.contact(ownerId),
          ConditionExpression: 'attribute_not_exists(pk) OR #status <> :erased',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':erased': 'erased' },
        },
      },
    };
    const outcome = await tryTransactWrite(this.store, [put, notErased]);
    if (outcome.ok) return 'recorded';
    if (outcome.failed.some((failure) => failure.index === 1)) return 'erased';
    if (outcome.failed.length > 0) return 'duplicate';
    throw outcome.error;
  }

  /** Newest first. */
  async list(entity: HistoryEntity, id: string, page: PageRequest): Promise<Page<HistoryEntry>> {
    return queryPage<HistoryEntry>(this.store, {
      ...page,
      partition: keys.historyPartition(entity, id),
      sortKeyPrefix: keys.historyPrefix(),
      newestFirst: true,
    });
  }
}
