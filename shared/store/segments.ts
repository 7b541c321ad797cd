import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { newId } from '../domain/ids.ts';
import { VersionMismatchError } from '../domain/errors.ts';
import type { Segment, SegmentInput } from '../domain/segment.ts';
import type { Clock } from '../domain/clock.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { transactWrite } from './transact.ts';
import { versionedPut } from './versioned.ts';
import { firstVersion, nextVersion, readEntity, requireEntity } from './records.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import type { Store } from './client.ts';

/** Saved filters, `SEGMENT#<id>` / `DEF`, listed newest first on GSI1. */
export class SegmentRepository {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  get(id: string): Promise<Segment | undefined> {
    return readEntity<Segment>(this.store, keys.segment(id));
  }

  require(id: string): Promise<Segment> {
    return requireEntity<Segment>(this.store, keys.segment(id), 'segment', id);
  }

  async create(input: SegmentInput, actor: string): Promise<Segment> {
    const segment: Segment = { ...input, ...firstVersion(this.clock, actor, newId(this.clock.now().getTime())) };
    await transactWrite(this.store, [this.put(segment, 0)]);
    return segment;
  }

  async replace(current: Segment, input: SegmentInput, actor: string): Promise<Segment> {
    const next: Segment = { ...input, ...nextVersion(current, this.clock, actor) };
    await transactWrite(this.store, [this.put(next, current.version)]);
    return next;
  }

  /** Deletes the segment if it is still at `version` (412 otherwise). */
  async delete(id: string, version: number): Promise<void> {
    try {
      await this.store.db.send(
        new DeleteCommand({
          TableName: this.store.tableName,
          Key: keys.segment(id),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': version },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionMismatchError('segment', id);
      throw error;
    }
  }

  list(page: PageRequest): Promise<Page<Segment>> {
    return queryPage<Segment>(this.store, { ...page, index: 'gsi1', partition: keys.segmentListPartition(), newestFirst: true });
  }

  private put(segment: Segment, expectedVersion: number) {
    const item = { ...segment, entityType: ITEM_TYPES.segment, ...keys.segmentList(segment.id) };
    return versionedPut(this.store.tableName, keys.segment(segment.id), item, expectedVersion, 'segment', segment.id);
  }
}
