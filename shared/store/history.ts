import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { idFor } from '../domain/ids.ts';
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

  /** Writes the entry into `ownerId`'s history (the entity's own, unless it was merged away). */
  async record(entry: HistoryEntry, ownerId: string = entry.entityId): Promise<'recorded' | 'duplicate'> {
    const entryId = idFor(Date.parse(entry.occurredAt), `${entry.entity}#${entry.entityId}#${entry.version}`);
    try {
      await this.store.db.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.history(entry.entity, ownerId, entryId), entityType: ITEM_TYPES.history, ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (isConditionFailure(error)) return 'duplicate';
      throw error;
    }
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
