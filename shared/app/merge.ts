import type { Contact } from '../domain/contact.ts';
import type { Clock } from '../domain/clock.ts';
import { ConflictError, NotFoundError, ValidationError, VersionMismatchError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import { survivingFields } from '../domain/merge.ts';
import type { ContactRepository } from '../store/contacts.ts';
import { moveContactItems, type MergeRecord, type MergeRepository } from '../store/merges.ts';
import type { Store } from '../store/client.ts';

/** What a participant is told about the merge it takes part in. */
export interface MergeContext {
  mergeId: string;
  survivorId: string;
  loserId: string;
  /** The loser as it stands now: a tombstone (`status: merged`) that still holds all its fields. */
  loser: Contact;
  actor: string;
  store: Store;
}

/**
 * One kind of item that belongs to a contact, and how a merge moves it from the loser to the
 * survivor. The contract every implementation keeps:
 *
 * - `move` runs AFTER the loser became a tombstone and the survivor took the merged fields.
 * - `move` is idempotent and resumable: a merge that crashed calls it again from the start,
 *   so it must find what is still left (e.g. query the loser's partition again) and treat an
 *   item already moved as done. `moveContactItems` (shared/store/merges.ts) does exactly this.
 * - It writes at most 100 items per DynamoDB transaction (LIMITS.mergeMoveBatchSize moves).
 * - It never loses an item: put under the survivor first, delete under the loser second.
 * - `partitionPrefixes` names the sort-key prefixes it owns in `CONTACT#<loser>`; anything there
 *   that no participant owns is moved verbatim afterwards (with `contactId` rewritten).
 * - Items that point AT the contact from elsewhere (inverse edges, tasks' `contactId`, GSI keys
 *   naming it) are the participant's to re-point too.
 */
export interface MergeParticipant {
  /** Stable name, recorded in the merge checkpoint once its `move` has finished. */
  readonly name: string;
  readonly partitionPrefixes: readonly string[];
  move(merge: MergeContext): Promise<void>;
}

/**
 * Merging two contacts into one: survivorship in one transaction, then every participant
 * moves its items, then a sweep moves anything left in the loser's partition. A checkpoint
 * (`MERGE#<loser>`) and locks on both contacts make it retry-safe and exclusive.
 */
export class MergeService {
  private readonly contacts: ContactRepository;
  private readonly merges: MergeRepository;
  private readonly participants: readonly MergeParticipant[];
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(deps: {
    contacts: ContactRepository;
    merges: MergeRepository;
    participants: readonly MergeParticipant[];
    store: Store;
    clock: Clock;
  }) {
    this.contacts = deps.contacts;
    this.merges = deps.merges;
    this.participants = deps.participants;
    this.store = deps.store;
    this.clock = deps.clock;
  }

  /**
   * Merges `loserId` into `survivorId` and answers the survivor. Repeating a finished merge
   * answers the same survivor; repeating an unfinished one finishes it.
   */
  async merge(survivorId: string, loserId: string, actor: string): Promise<Contact> {
    if (survivorId === loserId) throw ValidationError.of('sourceId', 'must name another contact than the survivor');
    let record = await this.merges.get(loserId);
    if (record && record.survivorId !== survivorId) {
      throw new ConflictError(`Contact ${loserId} was merged into ${record.survivorId}.`, record.survivorId, 'sourceId');
    }
    if (!record) record = await this.begin(survivorId, loserId, actor);
    if (record.step === 'locked') await this.absorb(record);
    if (record.step !== 'done') await this.moveItems(record);
    return this.contacts.require(survivorId);
  }

  private async begin(survivorId: string, loserId: string, actor: string): Promise<MergeRecord> {
    const [survivor, loser] = await Promise.all([this.contacts.get(survivorId), this.contacts.get(loserId)]);
    if (!survivor) throw new NotFoundError('contact', survivorId);
    if (!loser) throw ValidationError.of('sourceId', 'is not a contact');
    if (survivor.status === 'merged') {
      throw new ConflictError(`Contact ${survivorId} was merged into ${survivor.mergedInto}.`, survivor.mergedInto);
    }
    if (loser.status === 'merged') {
      throw new ConflictError(`Contact ${loserId} was merged into ${loser.mergedInto}.`, loser.mergedInto, 'sourceId');
    }
    const record: MergeRecord = {
      mergeId: newId(this.clock.now().getTime()),
      survivorId,
      loserId,
      step: 'locked',
      completed: [],
      actor,
      startedAt: this.clock.now().toISOString(),
    };
    try {
      await this.merges.begin(record, { survivor: survivor.version, loser: loser.version });
    } catch (error) {
      // Lost a race with an identical request: continue its merge rather than fail.
      const winner = await this.merges.get(loserId);
      if (winner && winner.survivorId === survivorId) return winner;
      throw error;
    }
    return record;
  }

  /** Survivorship, tombstone and checkpoint in one transaction; re-read and retried on a race. */
  private async absorb(record: MergeRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const [survivor, loser] = await Promise.all([
        this.contacts.require(record.survivorId),
        this.contacts.require(record.loserId),
      ]);
      if (loser.status === 'merged') break;
      try {
        await this.contacts.absorb(survivor, loser, survivingFields(survivor, loser), record.actor, [
          this.merges.stepWrite(record.loserId, 'locked', 'moving'),
        ]);
        break;
      } catch (error) {
        const race = error instanceof VersionMismatchError || (error instanceof ConflictError && !error.existingId);
        if (!race || attempt >= LIMITS.maxOptimisticRetries) throw error;
      }
    }
    record.step = 'moving';
  }

  private async moveItems(record: MergeRecord): Promise<void> {
    const loser = await this.contacts.require(record.loserId);
    const context: MergeContext = {
      mergeId: record.mergeId,
      survivorId: record.survivorId,
      loserId: record.loserId,
      loser,
      actor: record.actor,
      store: this.store,
    };
    for (const participant of this.participants) {
      if (record.completed.includes(participant.name)) continue;
      await participant.move(context);
      await this.merges.markCompleted(record.loserId, participant.name);
    }
    // Whatever no participant claimed still belongs to the person: it moves as it is.
    await moveContactItems(this.store, { from: record.loserId, to: record.survivorId, prefix: '', except: ['PROFILE'] });
    await this.merges.finish(record, this.clock.now().toISOString());
    record.step = 'done';
  }
}
