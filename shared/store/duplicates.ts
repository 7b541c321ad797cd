import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DuplicatePair, DuplicateStatus } from '../domain/dedup/suggestions.ts';
import { LIMITS } from '../domain/limits.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { entityOf } from './items.ts';
import { transactWrite } from './transact.ts';
import { contactNotErased } from './erasure-guard.ts';
import { deleteKeys } from './deletes.ts';
import { versionedPut } from './versioned.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import type { Store } from './client.ts';

/** What the dedup consumer last filed a contact under. */
export interface DedupState {
  contactId: string;
  contactVersion: number;
  fingerprint: string;
  blockKeys: string[];
}

const LISTED: ReadonlySet<DuplicateStatus> = new Set(['open', 'dismissed']);

/** Duplicate suggestions (`DUP#a#b`), with a link item under each contact so merges find them. */
export class DuplicateRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async get(a: string, b: string): Promise<DuplicatePair | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.duplicatePair(a, b), ConsistentRead: true }),
    );
    return Item ? entityOf<DuplicatePair>(Item) : undefined;
  }

  /**
   * Writes the pair if the stored one is still at `expectedVersion` (0: none stored), and the
   * link items of both contacts. A VersionMismatchError means another writer got there first.
   */
  async save(pair: DuplicatePair, expectedVersion: number): Promise<void> {
    const [a, b] = pair.contactIds;
    const listed = LISTED.has(pair.status) ? keys.duplicateList(pair.status as 'open' | 'dismissed', pair.score, pair.id) : {};
    const item = { ...pair, entityType: ITEM_TYPES.duplicate, ...listed };
    const link = (contactId: string, partnerId: string) => ({
      item: {
        Put: {
          TableName: this.store.tableName,
          Item: {
            ...keys.dedupLink(contactId, partnerId),
            entityType: ITEM_TYPES.dedupLink,
            contactId,
            partnerId,
            pairId: pair.id,
          },
        },
      },
    });
    // A suggestion carries both people's names in its reasons: never about someone erased meanwhile.
    const notErased = (contactId: string) => contactNotErased(this.store.tableName, contactId);
    await transactWrite(this.store, [
      versionedPut(this.store.tableName, keys.duplicatePair(a, b), item, expectedVersion, 'duplicate', pair.id),
      link(a, b),
      link(b, a),
      notErased(a),
      notErased(b),
    ]);
  }

  /** Deletes a suggestion and both contacts' links to it (erasure). */
  async delete(a: string, b: string): Promise<void> {
    await deleteKeys(this.store, [keys.duplicatePair(a, b), keys.dedupLink(a, b), keys.dedupLink(b, a)]);
  }

  /** Open (or dismissed) suggestions, best score first. */
  async list(status: 'open' | 'dismissed', page: PageRequest): Promise<Page<DuplicatePair>> {
    return queryPage<DuplicatePair>(this.store, {
      ...page,
      index: 'gsi2',
      partition: keys.duplicateListPartition(status),
      newestFirst: true,
    });
  }

  /** Ids of the contacts a contact has (or had) a suggestion with. */
  async partnersOf(contactId: string): Promise<string[]> {
    const partners: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queryPage<{ partnerId: string }>(this.store, {
        partition: keys.dedupPartition(contactId),
        sortKeyPrefix: keys.dedupLinkPrefix,
        limit: LIMITS.maxPageSize,
        cursor,
      });
      partners.push(...page.results.map((link) => link.partnerId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return partners;
  }

  async deleteLink(contactId: string, partnerId: string): Promise<void> {
    await this.store.db.send(new DeleteCommand({ TableName: this.store.tableName, Key: keys.dedupLink(contactId, partnerId) }));
  }
}

/** The blocking index: `DEDUPKEY#<key>` partitions listing the contacts filed under each key. */
export class DedupIndexRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async getState(contactId: string): Promise<DedupState | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.dedupState(contactId), ConsistentRead: true }),
    );
    return Item ? entityOf<DedupState>(Item) : undefined;
  }

  async putState(state: DedupState): Promise<void> {
    await this.store.db.send(
      new PutCommand({
        TableName: this.store.tableName,
        Item: { ...keys.dedupState(state.contactId), entityType: ITEM_TYPES.dedupState, ...state },
      }),
    );
  }

  async deleteState(contactId: string): Promise<void> {
    await this.store.db.send(new DeleteCommand({ TableName: this.store.tableName, Key: keys.dedupState(contactId) }));
  }

  /** Every item left in a contact's dedup partition (state and links), deleted; answers how many. */
  async deletePartition(contactId: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { Items = [] } = await this.store.db.send(
        new QueryCommand({
          TableName: this.store.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.dedupPartition(contactId) },
          ProjectionExpression: 'pk, sk',
          ConsistentRead: true,
          Limit: 100,
        }),
      );
      if (Items.length === 0) return deleted;
      await deleteKeys(this.store, Items as { pk: string; sk: string }[]);
      deleted += Items.length;
    }
  }

  /** Files a contact under keys (idempotent puts), 25 per BatchWrite. */
  async file(contactId: string, blockKeys: readonly string[]): Promise<void> {
    await this.batch(
      blockKeys.map((key) => ({
        PutRequest: { Item: { ...keys.dedupBlock(key, contactId), entityType: ITEM_TYPES.dedupBlock, contactId } },
      })),
    );
  }

  async unfile(contactId: string, blockKeys: readonly string[]): Promise<void> {
    await this.batch(blockKeys.map((key) => ({ DeleteRequest: { Key: keys.dedupBlock(key, contactId) } })));
  }

  /** The contacts filed under a key, or `oversized` when more than the block limit share it. */
  async members(blockKey: string): Promise<string[] | 'oversized'> {
    const { Items = [] } = await this.store.db.send(
      new QueryCommand({
        TableName: this.store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.dedupBlockPartition(blockKey) },
        ProjectionExpression: 'contactId',
        Limit: LIMITS.maxDedupBlockSize + 1,
      }),
    );
    return Items.length > LIMITS.maxDedupBlockSize ? 'oversized' : Items.map((item) => item.contactId as string);
  }

  private async batch(requests: Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < requests.length; start += 25) {
      let pending = requests.slice(start, start + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        const result = await this.store.db.send(
          new BatchWriteCommand({ RequestItems: { [this.store.tableName]: pending as never } }),
        );
        pending = (result.UnprocessedItems?.[this.store.tableName] ?? []) as Record<string, unknown>[];
        if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }
}
