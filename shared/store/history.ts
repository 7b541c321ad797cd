import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ITEM_TYPES, keys, type HistoryEntity } from './keys.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import { isConditionFailure } from './transact.ts';
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
 * Field history items, in the entity's own partition under `HIST#<version>` sort keys. Writes
 * are conditional puts on a key derived from the entity version, so recording the same event
 * twice (or another delivery of the same version) writes one entry, in whatever order events come.
 */
export class HistoryRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async record(entry: HistoryEntry): Promise<'recorded' | 'duplicate'> {
    try {
      await this.store.db.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.history(entry.entity, entry.entityId, entry.version), entityType: ITEM_TYPES.history, ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (isConditionFailure(error)) return 'duplicate';
      throw error;
    }
  }

  /** Newest version first. */
  async list(entity: HistoryEntity, id: string, page: PageRequest): Promise<Page<HistoryEntry>> {
    return queryPage<HistoryEntry>(this.store, {
      ...page,
      partition: keys.historyPartition(entity, id),
      sortKeyPrefix: keys.historyPrefix(),
      newestFirst: true,
    });
  }
}
