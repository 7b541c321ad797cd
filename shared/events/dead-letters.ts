import { isId, newId } from '../domain/ids.ts';
import { NotAvailableError, ValidationError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { KithEvent, ScheduledInvocation } from './types.ts';

/** What a delivery was for: the rule target of a subscription, or a schedule. */
export interface DeliveryTarget {
  kind: 'subscription' | 'schedule';
  /** The subscription's or schedule's name in the topology. */
  name: string;
  /** The function it invokes. */
  function: string;
}

/** A delivery that failed on every attempt, kept until an operator redrives it. */
export interface DeadLetter {
  /** Time-ordered id of the letter (not of the event: `payload.detail.eventId` is that). */
  id: string;
  target: DeliveryTarget;
  payload: KithEvent | ScheduledInvocation;
  /** The last failure; never a stack trace. */
  error: { name: string; message: string };
  /** Attempts made so far, redrives included. */
  attempts: number;
  failedAt: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'id'>;

export interface RedriveReport {
  /** Delivered this time, and removed. */
  redriven: string[];
  /** Failed again; they stay, with the new error and attempt count. */
  failed: { id: string; error: string }[];
  notFound: string[];
}

/**
 * The operator's view of failed deliveries (`GET /v1/admin/dead-letters`, `kith dlq`).
 * Locally it reads files under `<KITH_HOME>/dlq`; in AWS an adapter over the SQS dead-letter
 * queues fits the same two calls (peek to list, receive-invoke-delete to redrive).
 */
export interface DeadLetterQueue {
  /** Newest first. */
  list(page: PageRequest): Promise<Page<DeadLetter>>;
  /** Delivers the named letters again (or the oldest LIMITS.maxRedrivePerRequest), removing each that succeeds. */
  redrive(ids?: readonly string[]): Promise<RedriveReport>;
  /**
   * Discards every letter whose event names one of these contacts (an erased person: events
   * about them carry their old and new values). Answers how many it discarded.
   */
  discardAbout(contactIds: readonly string[]): Promise<number>;
}

/** Storage of dead letters, for runtimes that keep them themselves (files, memory). */
export interface DeadLetterStore {
  add(letter: NewDeadLetter): Promise<DeadLetter>;
  get(id: string): Promise<DeadLetter | undefined>;
  /** All ids, oldest first. */
  ids(): Promise<string[]>;
  replace(letter: DeadLetter): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Delivers one letter to its target once more; throws when that fails again. */
export type Redeliver = (letter: DeadLetter) => Promise<void>;

/** A DeadLetterQueue over a store, redriving through the runtime's own delivery path. */
export class StoredDeadLetterQueue implements DeadLetterQueue {
  private readonly store: DeadLetterStore;
  private readonly redeliver: Redeliver;
  private readonly now: () => Date;

  constructor(store: DeadLetterStore, redeliver: Redeliver, now: () => Date = () => new Date()) {
    this.store = store;
    this.redeliver = redeliver;
    this.now = now;
  }

  async list(page: PageRequest): Promise<Page<DeadLetter>> {
    if (page.cursor !== undefined && !isId(page.cursor)) throw ValidationError.of('cursor', 'is not a cursor this list returned');
    const newestFirst = (await this.store.ids()).reverse();
    const start = page.cursor === undefined ? 0 : newestFirst.findIndex((id) => id < page.cursor!);
    const ids = start < 0 ? [] : newestFirst.slice(start, start + page.limit);
    const letters = (await Promise.all(ids.map((id) => this.store.get(id)))).filter((l): l is DeadLetter => !!l);
    const more = start >= 0 && start + page.limit < newestFirst.length;
    return { results: letters, nextCursor: more ? ids.at(-1)! : null };
  }

  async redrive(ids?: readonly string[]): Promise<RedriveReport> {
    const chosen = ids ? [...new Set(ids)] : (await this.store.ids()).slice(0, LIMITS.maxRedrivePerRequest);
    const report: RedriveReport = { redriven: [], failed: [], notFound: [] };
    for (const id of chosen) {
      const letter = isId(id) ? await this.store.get(id) : undefined;
      if (!letter) {
        report.notFound.push(id);
        continue;
      }
      try {
        await this.redeliver(letter);
        await this.store.remove(id);
        report.redriven.push(id);
      } catch (error) {
        const failure = describeError(error);
        const attempts = letter.attempts + ((error as { attempts?: number }).attempts ?? 1);
        await this.store.replace({ ...letter, error: failure, attempts, failedAt: this.now().toISOString() });
        report.failed.push({ id, error: failure.message });
      }
    }
    return report;
  }

  async discardAbout(contactIds: readonly string[]): Promise<number> {
    let discarded = 0;
    for (const id of await this.store.ids()) {
      const letter = await this.store.get(id);
      if (!letter) continue;
      const text = JSON.stringify(letter.payload);
      if (contactIds.some((contactId) => text.includes(contactId))) {
        await this.store.remove(id);
        discarded++;
      }
    }
    return discarded;
  }
}

/** Dead letters in memory: tests, and `npm start -- --memory`. */
export class MemoryDeadLetterStore implements DeadLetterStore {
  private readonly letters = new Map<string, DeadLetter>();

  async add(letter: NewDeadLetter): Promise<DeadLetter> {
    const stored = { ...structuredClone(letter), id: newId() };
    this.letters.set(stored.id, stored);
    return structuredClone(stored);
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const letter = this.letters.get(id);
    return letter && structuredClone(letter);
  }

  async ids(): Promise<string[]> {
    return [...this.letters.keys()].sort();
  }

  async replace(letter: DeadLetter): Promise<void> {
    if (this.letters.has(letter.id)) this.letters.set(letter.id, structuredClone(letter));
  }

  async remove(id: string): Promise<void> {
    this.letters.delete(id);
  }
}

/** Where a deployment has no dead-letter adapter yet: the admin routes answer 501. */
export const unavailableDeadLetterQueue: DeadLetterQueue = {
  list: () => Promise.reject(new NotAvailableError('This deployment cannot read its dead-letter queues yet.')),
  redrive: () => Promise.reject(new NotAvailableError('This deployment cannot redrive its dead-letter queues yet.')),
  discardAbout: () => Promise.reject(new NotAvailableError('This deployment cannot read its dead-letter queues yet.')),
};

/** An error as a dead letter keeps it: name and message, no stack. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 2000) };
  return { name: 'Error', message: String(error).slice(0, 2000) };
}
