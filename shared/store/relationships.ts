import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import { inverseOf, type Relationship, type RelationshipSide } from '../domain/relationships.ts';
import type { ListedTie } from '../domain/introductions.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { entityOf } from './items.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import { versionedPut } from './versioned.ts';
import type { GuardedWrite } from './transact.ts';
import type { Store } from './client.ts';

/** The id optimistic locking and errors use for a tie: both of its ends race as one record. */
export function tieId(side: Pick<RelationshipSide, 'contactId' | 'typeKey' | 'otherId'>): string {
  return `${side.contactId}/${side.typeKey}/${side.otherId}`;
}

/**
 * Ties between contacts, each stored from both ends: `CONTACT#<a>`/`EDGE#<type>#<b>` and
 * `CONTACT#<b>`/`EDGE#<inverse type>#<a>`, always written and removed together.
 */
export class RelationshipRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async get(contactId: string, typeKey: string, otherId: string): Promise<Relationship | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({
        TableName: this.store.tableName,
        Key: keys.relationship(contactId, typeKey, otherId),
        ConsistentRead: true,
      }),
    );
    return Item ? entityOf<Relationship>(Item) : undefined;
  }

  list(contactId: string, page: PageRequest, typeKey?: string): Promise<Page<Relationship>> {
    return queryPage<Relationship>(this.store, {
      ...page,
      partition: keys.contactPartition(contactId),
      sortKeyPrefix: keys.relationshipsPrefix(typeKey),
    });
  }

  /** Up to `max` of a contact's ties, as an introduction search reads them (only what it needs). */
  async ties(contactId: string, max: number): Promise<{ ties: ListedTie[]; truncated: boolean }> {
    const ties: ListedTie[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.store.db.send(
        new QueryCommand({
          TableName: this.store.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.contactPartition(contactId), ':prefix': keys.relationshipsPrefix() },
          ProjectionExpression: 'contactId, otherId, #type, typeKey, label, inverseLabel, strength',
          ExpressionAttributeNames: { '#type': 'type' },
          Limit: max + 1 - ties.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) {
        if (ties.length === max) return { ties, truncated: true };
        const side = item as RelationshipSide;
        ties.push({
          otherId: side.otherId,
          strength: side.strength,
          typeKey: side.typeKey,
          inverseTypeKey: inverseOf(side).typeKey,
        });
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return { ties, truncated: false };
  }

  /** Both ends of a tie, created (`expected` 0) or replaced at `expected`. */
  putWrites(relationship: Relationship, expected: number): GuardedWrite[] {
    const inverse = { ...relationship, ...inverseOf(relationship) };
    const id = tieId(relationship);
    return [relationship, inverse].map((side) =>
      versionedPut(
        this.store.tableName,
        keys.relationship(side.contactId, side.typeKey, side.otherId),
        { ...side, entityType: ITEM_TYPES.relationship },
        expected,
        'relationship',
        id,
      ),
    );
  }

  /** Removes both ends, only at the version read (both ends carry the same one). */
  deleteWrites(relationship: Relationship): GuardedWrite[] {
    const id = tieId(relationship);
    return [relationship, inverseOf(relationship)].map((side) => ({
      item: {
        Delete: {
          TableName: this.store.tableName,
          Key: keys.relationship(side.contactId, side.typeKey, side.otherId),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': relationship.version },
        },
      },
      onConditionFailed: (existing: Record<string, unknown> | undefined) =>
        existing
          ? new VersionMismatchError('relationship', id, existing.version as number)
          : new NotFoundError('relationship', id),
    }));
  }
}
