import type { Contact } from '../domain/contact.ts';
import { isErased } from '../domain/contact-record.ts';
import type { Clock } from '../domain/clock.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { identitiesOf, PersonMatcher, type ErasureRecord } from '../domain/erasure.ts';
import type { ContactRepository } from '../store/contacts.ts';
import { ErasureRepository } from '../store/erasures.ts';
import type { SuppressionRepository } from '../store/suppressions.ts';
import type { Store } from '../store/client.ts';
import type { Needs, Settings } from './services.ts';

/** What a participant is told about the erasure it takes part in. */
export interface ErasureContext {
  erasure: ErasureRecord;
  /** Recognises the person in free-form places (reports, files, dead letters). */
  matcher: PersonMatcher;
  actor: string;
  store: Store;
  now: () => Date;
}

/**
 * One store that may hold something about a person, and how erasure removes it. The contract
 * every implementation keeps (the same as a merge participant's):
 *
 * - `erase` is idempotent and resumable: an erasure that crashed calls it again from the start,
 *   so it finds what is still left (query again) and treats what is gone as done.
 * - It runs after the person's records became erased tombstones (except `suppressions` and
 *   `records`, which make them so): it works from ids and salted hashes, never from values.
 * - It deletes what it can find in full; where an item belongs to someone else too (a delivery
 *   log, a job), it removes the person's part and keeps the rest.
 * - It answers how many items it deleted or rewrote, which the erasure record keeps.
 */
export interface ErasureParticipant {
  /** Stable name, recorded in the erasure record once its `erase` has finished. */
  readonly name: string;
  erase(context: ErasureContext): Promise<number>;
}

/** How deep a chain of merges may be followed from an id to the person it leads to. */
const MAX_MERGE_HOPS = 50;

/**
 * The erasures that happened, and how to recognise their people: what job workers need to scrub
 * files they were writing while an erasure ran (the erasure leaves running jobs to them).
 */
export class ErasureLog {
  protected readonly erasures: ErasureRepository;
  protected readonly suppressions: SuppressionRepository;
  protected readonly settings: Settings;

  constructor(deps: { erasures: ErasureRepository; suppressions: SuppressionRepository; settings: Settings }) {
    this.erasures = deps.erasures;
    this.suppressions = deps.suppressions;
    this.settings = deps.settings;
  }

  /**
   * Erasures that started at or after `at`: a job worker finishing a file scrubs them from it,
   * since the erasure itself leaves jobs that are still running to their worker.
   */
  startedSince(at: string): Promise<ErasureRecord[]> {
    return this.erasures.startedSince(at);
  }

  /** Recognises an erased person in free-form places; job workers use it for erasures that ran meanwhile. */
  matcherOf(record: Pick<ErasureRecord, 'contactIds' | 'identityHashes'>): PersonMatcher {
    return new PersonMatcher({
      erasure: record,
      hash: (identities) => this.suppressions.hashesOf(identities),
      defaultRegion: this.settings.defaultPhoneRegion,
    });
  }
}

/**
 * GDPR erasure: every trace of a person removed from every store Kith writes, in a fixed order
 * of participants, with a checkpoint (`ERASURE#<person>`) so a crashed erasure completes on
 * retry. What stays: the erased tombstones (id, `status: erased`, when, by whom), the erasure
 * record (ids, salted hashes, counts) and the salted hashes on the suppression list.
 */
export class ErasureService extends ErasureLog {
  private readonly contacts: ContactRepository;
  private readonly participants: readonly ErasureParticipant[];
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(deps: {
    contacts: ContactRepository;
    erasures: ErasureRepository;
    suppressions: SuppressionRepository;
    participants: readonly ErasureParticipant[];
    store: Store;
    clock: Clock;
    settings: Settings;
  }) {
    super(deps);
    this.contacts = deps.contacts;
    this.participants = deps.participants;
    this.store = deps.store;
    this.clock = deps.clock;
  }

  /**
   * Erases the person `contactId` names: the contact itself, or, for a contact merged away, the
   * survivor it leads to, with every contact merged into it. Repeating a finished erasure does
   * nothing; repeating an unfinished one finishes it. Answers the erasure record.
   */
  async erase(contactId: string, actor: string, reason?: string): Promise<ErasureRecord> {
    const personId = await this.personOf(contactId);
    let record = (await this.erasures.get(personId)) ?? (await this.begin(personId, actor, reason));
    if (record.status === 'done') return record;
    const context: ErasureContext = {
      erasure: record,
      matcher: this.matcherOf(record),
      actor: record.requestedBy,
      store: this.store,
      now: () => this.clock.now(),
    };
    for (const participant of this.participants) {
      if (record.completed.includes(participant.name)) continue;
      const erased = await participant.erase(context);
      await this.erasures.markCompleted(record.id, participant.name, erased);
      record = {
        ...record,
        completed: [...record.completed, participant.name],
        erased: { ...record.erased, [participant.name]: erased },
      };
      context.erasure = record;
    }
    const finishedAt = this.clock.now().toISOString();
    await this.erasures.finish(record, finishedAt);
    return { ...record, status: 'done', finishedAt };
  }

  /** The erasure of a person, if one started (by any of their contact ids). */
  async get(contactId: string): Promise<ErasureRecord | undefined> {
    return this.erasures.get(await this.personOf(contactId));
  }

  /** The person an id stands for: itself, or the survivor its merges lead to (erased or not). */
  private async personOf(contactId: string): Promise<string> {
    let id = contactId;
    for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
      const found = await this.contacts.record(id);
      if (!found) throw new NotFoundError('contact', contactId);
      if (isErased(found)) return found.erasureId;
      if (found.status !== 'merged' || !found.mergedInto) return found.id;
      id = found.mergedInto;
    }
    throw new ConflictError(`Contact ${contactId} leads through more than ${MAX_MERGE_HOPS} merges; erase its survivor.`);
  }

  /**
   * Writes the record every later step works from: the person's contact ids and the salted
   * hashes of their identity values, read from the records while they still hold them.
   */
  private async begin(personId: string, actor: string, reason: string | undefined): Promise<ErasureRecord> {
    const person = await this.contacts.get(personId);
    if (!person) throw new NotFoundError('contact', personId);
    const merged: Contact[] = [];
    for (const id of person.mergedFrom ?? []) {
      const tombstone = await this.contacts.get(id);
      if (tombstone) merged.push(tombstone);
    }
    const records = [person, ...merged];
    const record: ErasureRecord = {
      id: person.id,
      contactIds: records.map((c) => c.id),
      identityHashes: await this.suppressions.hashesOf(identitiesOf(records)),
      since: records.map((c) => c.createdAt).sort()[0]!,
      status: 'running',
      completed: [],
      erased: {},
      requestedBy: actor,
      ...(reason ? { reason } : {}),
      startedAt: this.clock.now().toISOString(),
    };
    try {
      await this.erasures.begin(record);
      return record;
    } catch (error) {
      // Lost a race with another request erasing the same person: continue its erasure.
      const winner = await this.erasures.get(person.id);
      if (winner) return winner;
      throw error;
    }
  }
}

export const erasureService = ({
  contactRepository,
  suppressions,
  erasureParticipants,
  store,
  clock,
  settings,
}: Needs<'contactRepository' | 'suppressions' | 'erasureParticipants' | 'store' | 'clock' | 'settings'>) =>
  new ErasureService({
    contacts: contactRepository,
    erasures: new ErasureRepository(store),
    suppressions,
    participants: erasureParticipants,
    store,
    clock,
    settings,
  });

export const erasureLog = ({ store, suppressions, settings }: Needs<'store' | 'suppressions' | 'settings'>) =>
  new ErasureLog({ erasures: new ErasureRepository(store), suppressions, settings });
