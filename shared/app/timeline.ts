import { normalizeActivity, patchActivity, systemEntry, type Activity, type ActivityContent } from '../domain/activity.ts';
import { engagementOf, isInteraction, negligibleBefore, withInteraction, type Engagement } from '../domain/engagement.ts';
import { ConflictError, NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import { idFor, idAt } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import type { Clock } from '../domain/clock.ts';
import type { Contact } from '../domain/contact.ts';
import type { ActivityRepository } from '../store/activities.ts';
import type { ContactRepository } from '../store/contacts.ts';
import { transactWrite, type GuardedWrite } from '../store/transact.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { Store } from '../store/client.ts';
import type { ContactService } from './contacts.ts';
import { writeWithRetry } from './optimistic.ts';

/**
 * The timeline of a contact: what people log (notes, calls, emails, meetings) and what Kith
 * records itself (system entries). Logging an interaction moves the contact's
 * `lastInteractionAt` and `engagementScore` in the same transaction as the entry, through a
 * versioned write of the contact, so its ETag moves and the change is published like any other.
 */
export class TimelineService {
  readonly repository: ActivityRepository;
  private readonly store: Store;
  private readonly contacts: ContactService;
  private readonly clock: Clock;

  constructor(deps: { store: Store; repository: ActivityRepository; contacts: ContactService; clock: Clock }) {
    this.store = deps.store;
    this.repository = deps.repository;
    this.contacts = deps.contacts;
    this.clock = deps.clock;
  }

  private get contactRepository(): ContactRepository {
    return this.contacts.repository;
  }

  /** Logs what happened with a contact (a merged contact's entries go to its survivor). */
  async log(contactId: string, input: unknown, actor: string): Promise<Activity> {
    const content = normalizeActivity(input, this.clock.now());
    const contact = await this.contacts.get(contactId);
    return this.append(contact.id, content, idAt(Date.parse(content.occurredAt)), actor);
  }

  /**
   * Logs an activity once per `cause` (a workflow run's action), however often the cause runs:
   * the entry's id is derived from it and its `occurredAt`. `created` says whether this call wrote.
   */
  async logOnce(
    contactId: string,
    input: unknown,
    cause: string,
    actor: string,
  ): Promise<{ activity: Activity; created: boolean }> {
    const content = normalizeActivity(input, this.clock.now());
    const contact = await this.contacts.get(contactId);
    const id = idFor(Date.parse(content.occurredAt), cause);
    const existing = await this.repository.get(contact.id, id);
    if (existing) return { activity: existing, created: false };
    try {
      return { activity: await this.append(contact.id, content, id, actor), created: true };
    } catch (error) {
      if (!(error instanceof VersionMismatchError && error.entity === 'activity')) throw error;
      return { activity: await this.repository.require(contact.id, id), created: false };
    }
  }

  /**
   * Records a system entry (stage changed, merged, task completed) once per `cause`, however
   * often the cause is delivered: the entry's id is derived from it.
   */
  async recordSystemEntry(
    contactId: string,
    content: ActivityContent,
    cause: string,
    actor = 'system',
  ): Promise<Activity | undefined> {
    const id = idFor(Date.parse(content.occurredAt), cause);
    const existing = await this.repository.get(contactId, id);
    if (existing) return existing;
    try {
      return await this.append(contactId, content, id, actor);
    } catch (error) {
      if (error instanceof VersionMismatchError) return this.repository.get(contactId, id);
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** The write of a system entry, for use cases that record it inside their own transaction. */
  systemEntryWrite(contactId: string, content: ActivityContent, cause: string, actor = 'system'): GuardedWrite {
    return this.repository.putWrite(this.activityOf(contactId, content, idFor(Date.parse(content.occurredAt), cause), actor));
  }

  /**
   * Records on the survivor that another contact was merged into it, once per merge (a use case
   * for the merge, also driven by `contact.merged` events).
   */
  recordMerge(survivorId: string, loser: { id: string; name: string }, mergedAt: string): Promise<Activity | undefined> {
    const entry = systemEntry('contact.merged', `Merged with ${loser.name}`, mergedAt, { mergedFrom: loser.id });
    return this.recordSystemEntry(survivorId, entry, `contact.merged:${loser.id}`);
  }

  /** Records a lifecycle stage change, once per contact version. */
  recordStageChange(contactId: string, change: { from?: string; to?: string; version: number; at: string; actor: string }) {
    const subject =
      change.from && change.to
        ? `Lifecycle stage changed from ${change.from} to ${change.to}`
        : change.to
          ? `Lifecycle stage set to ${change.to}`
          : change.from
            ? `Lifecycle stage cleared (was ${change.from})`
            : 'Lifecycle stage changed';
    const data = { ...(change.from ? { from: change.from } : {}), ...(change.to ? { to: change.to } : {}) };
    const entry = systemEntry('lifecycle_stage.changed', subject, change.at, data);
    return this.recordSystemEntry(contactId, entry, `lifecycle_stage.changed:${contactId}:${change.version}`, change.actor);
  }

  /**
   * Merge: moves the loser's whole timeline to the survivor, LIMITS.mergeMoveBatchSize entries
   * per transaction, then recomputes the survivor's engagement. Resumable: a repeated call moves
   * what is left and moves nothing twice.
   */
  async moveActivities(loserId: string, survivorId: string, actor = 'system:merge'): Promise<number> {
    let moved = 0;
    for (;;) {
      const page = await this.repository.list(loserId, { limit: LIMITS.mergeMoveBatchSize });
      if (page.results.length === 0) break;
      const now = this.clock.now().toISOString();
      await transactWrite(
        this.store,
        page.results.flatMap((activity) => this.repository.moveWrites(activity, survivorId, actor, now)),
      );
      moved += page.results.length;
    }
    await this.recomputeEngagement(survivorId, actor);
    return moved;
  }

  /** Recomputes a contact's engagement from its timeline; writes only if it changed. */
  async recomputeEngagement(contactId: string, actor: string): Promise<void> {
    await this.rescore(contactId, actor, [], {});
  }

  async list(contactId: string, page: PageRequest): Promise<Page<Activity>> {
    const contact = await this.contacts.get(contactId);
    return this.repository.list(contact.id, page);
  }

  async get(contactId: string, activityId: string): Promise<Activity> {
    const contact = await this.contacts.get(contactId);
    return this.repository.require(contact.id, activityId);
  }

  async update(contactId: string, activityId: string, patch: unknown, actor: string, ifMatch?: number): Promise<Activity> {
    const contact = await this.contacts.get(contactId);
    return writeWithRetry({
      entity: 'activity',
      id: activityId,
      ifMatch,
      load: () => this.editable(contact.id, activityId),
      write: async (current) => {
        const next: Activity = {
          ...this.activityOf(contact.id, patchActivity(current, patch), current.id, current.createdBy),
          version: current.version + 1,
          createdAt: current.createdAt,
          updatedBy: actor,
        };
        // Only the direction changes what an interaction weighs; anything else leaves the contact alone.
        if (isInteraction(current.kind) && next.direction !== current.direction) {
          await this.rescore(contact.id, actor, [this.repository.replaceWrite(next)], { replace: next });
        } else {
          await transactWrite(this.store, [this.repository.replaceWrite(next)]);
        }
        return next;
      },
    });
  }

  async remove(contactId: string, activityId: string, actor: string, ifMatch?: number): Promise<void> {
    const contact = await this.contacts.get(contactId);
    await writeWithRetry({
      entity: 'activity',
      id: activityId,
      ifMatch,
      load: () => this.editable(contact.id, activityId),
      write: async (current) => {
        if (isInteraction(current.kind))
          await this.rescore(contact.id, actor, [this.repository.deleteWrite(current)], { skip: current.id });
        else await transactWrite(this.store, [this.repository.deleteWrite(current)]);
        return current;
      },
    });
  }

  private async editable(contactId: string, activityId: string): Promise<Activity> {
    const activity = await this.repository.require(contactId, activityId);
    if (activity.kind === 'system') throw new ConflictError('System entries are written by Kith and cannot be changed.');
    return activity;
  }

  private async append(contactId: string, content: ActivityContent, id: string, actor: string): Promise<Activity> {
    const activity = this.activityOf(contactId, content, id, actor);
    const write = this.repository.putWrite(activity);
    if (!isInteraction(activity.kind)) {
      await transactWrite(this.store, [write, this.contactRepository.existsCheck(contactId)]);
      return activity;
    }
    const interaction = { kind: activity.kind, direction: activity.direction, occurredAt: activity.occurredAt };
    await this.engage(contactId, actor, [write], (current) => withInteraction(engagementFrom(current), interaction));
    return activity;
  }

  /** Recomputes the contact's engagement from its timeline, as it will be after `alongside`. */
  private async rescore(
    contactId: string,
    actor: string,
    alongside: GuardedWrite[],
    change: { skip?: string; replace?: Activity },
  ) {
    await this.engage(contactId, actor, alongside, async (current) => {
      const skip = change.skip ?? change.replace?.id;
      const interactions = await this.repository.interactions(contactId, {
        max: LIMITS.maxInteractionsForEngagement,
        skip,
        since: negligibleBefore,
      });
      if (change.replace && isInteraction(change.replace.kind)) {
        interactions.push({
          kind: change.replace.kind,
          direction: change.replace.direction,
          occurredAt: change.replace.occurredAt,
        });
      }
      const engagement = engagementOf(interactions);
      // Nothing to write when nothing changed and nothing rides along.
      if (alongside.length === 0 && sameEngagement(engagement, engagementFrom(current))) return unchanged;
      return engagement;
    });
  }

  /** A versioned write of the contact's engagement with `alongside`, re-read and retried on a race. */
  private async engage(
    contactId: string,
    actor: string,
    alongside: GuardedWrite[],
    compute: (current: Contact) => Engagement | undefined | typeof unchanged | Promise<Engagement | undefined | typeof unchanged>,
  ): Promise<void> {
    await writeWithRetry({
      entity: 'contact',
      id: contactId,
      ifMatch: undefined,
      load: async () => {
        const current = await this.contactRepository.require(contactId);
        if (current.status === 'merged') throw new NotFoundError('contact', contactId);
        return current;
      },
      write: async (current) => {
        const engagement = await compute(current);
        if (engagement === unchanged) return current;
        return this.contactRepository.recordEngagement(current, engagement, actor, alongside);
      },
    });
  }

  private activityOf(contactId: string, content: ActivityContent, id: string, actor: string): Activity {
    const now = this.clock.now().toISOString();
    return { ...content, id, contactId, version: 1, createdAt: now, updatedAt: now, createdBy: actor, updatedBy: actor };
  }
}

/** Marks a recomputation that found nothing to change. */
const unchanged = Symbol('unchanged');

function sameEngagement(a: Engagement | undefined, b: Engagement | undefined): boolean {
  return a?.lastInteractionAt === b?.lastInteractionAt && Math.abs((a?.engagementScore ?? 0) - (b?.engagementScore ?? 0)) < 1e-9;
}

function engagementFrom(contact: Contact): Engagement | undefined {
  return contact.engagementScore !== undefined && contact.lastInteractionAt
    ? { engagementScore: contact.engagementScore, lastInteractionAt: contact.lastInteractionAt }
    : undefined;
}
