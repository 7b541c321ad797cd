import { normalizeActivity, patchActivity, type Activity } from '../domain/activity.ts';
import { isInteraction } from '../domain/engagement.ts';
import { ConflictError, VersionMismatchError } from '../domain/errors.ts';
import { idAt, idFor } from '../domain/ids.ts';
import type { Clock } from '../domain/clock.ts';
import { ActivityRepository } from '../store/activities.ts';
import { transactWrite } from '../store/transact.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { Store } from '../store/client.ts';
import type { ContactService } from './contacts.ts';
import { writeWithRetry } from './optimistic.ts';
import type { Needs } from './services.ts';
import { SystemTimeline } from './system-timeline.ts';

/**
 * The timeline of a contact: what people log (notes, calls, emails, meetings) and what Kith
 * records itself (system entries, see SystemTimeline). Logging an interaction moves the contact's
 * `lastInteractionAt` and `engagementScore` in the same transaction as the entry, through a
 * versioned write of the contact, so its ETag moves and the change is published like any other.
 */
export class TimelineService extends SystemTimeline {
  private readonly contactService: ContactService;

  constructor(deps: { store: Store; repository: ActivityRepository; contacts: ContactService; clock: Clock }) {
    super({ ...deps, contacts: deps.contacts.repository });
    this.contactService = deps.contacts;
  }

  /** Logs what happened with a contact (a merged contact's entries go to its survivor). */
  async log(contactId: string, input: unknown, actor: string): Promise<Activity> {
    const content = normalizeActivity(input, this.clock.now());
    const contact = await this.contactService.get(contactId);
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
    const contact = await this.contactService.get(contactId);
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

  async list(contactId: string, page: PageRequest): Promise<Page<Activity>> {
    const contact = await this.contactService.get(contactId);
    return this.repository.list(contact.id, page);
  }

  async get(contactId: string, activityId: string): Promise<Activity> {
    const contact = await this.contactService.get(contactId);
    return this.repository.require(contact.id, activityId);
  }

  async update(contactId: string, activityId: string, patch: unknown, actor: string, ifMatch?: number): Promise<Activity> {
    const contact = await this.contactService.get(contactId);
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
    const contact = await this.contactService.get(contactId);
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
}

export const timelineService = ({ store, contacts, clock }: Needs<'store' | 'contacts' | 'clock'>) =>
  new TimelineService({ store, repository: new ActivityRepository(store), contacts, clock });
