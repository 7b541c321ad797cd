import { systemEntry } from '../domain/activity.ts';
import { consentSubject, normalizeConsentChange } from '../domain/consent.ts';
import { patchContact, type Contact } from '../domain/contact.ts';
import type { Clock } from '../domain/clock.ts';
import type { ContactService } from './contacts.ts';
import type { TimelineService } from './timeline.ts';
import { writeWithRetry } from './optimistic.ts';
import type { Needs } from './services.ts';

/**
 * Consent per channel, recorded so it can be proven: the contact's `consent.<channel>` changes
 * (a new version, so field history keeps who changed it from what to what) and a system entry
 * on the timeline says when the person gave or withdrew it and where, in one transaction.
 */
export class ConsentService {
  private readonly contacts: ContactService;
  private readonly timeline: TimelineService;
  private readonly clock: Clock;

  constructor(deps: { contacts: ContactService; timeline: TimelineService; clock: Clock }) {
    this.contacts = deps.contacts;
    this.timeline = deps.timeline;
    this.clock = deps.clock;
  }

  /** Records a channel's consent; the same status from the same source again changes nothing. */
  async record(contactId: string, input: unknown, actor: string, ifMatch?: number): Promise<Contact> {
    const change = normalizeConsentChange(input, this.clock.now());
    const { id } = await this.contacts.get(contactId);
    return writeWithRetry({
      entity: 'contact',
      id,
      ifMatch,
      load: () => this.contacts.repository.require(id),
      write: async (current) => {
        const before = current.consent?.[change.channel];
        if (before?.status === change.status && before.source === change.source && before.at === change.at) return current;
        const entry = { status: change.status, at: change.at, source: change.source };
        const fields = patchContact(current, { consent: { [change.channel]: entry } }, await this.contacts.rules());
        const note = systemEntry('consent.changed', consentSubject(change.channel, change.status, change.source), change.at, {
          channel: change.channel,
          ...entry,
          ...(before ? { previous: before.status } : {}),
        });
        const cause = `consent.changed:${current.id}:${current.version + 1}`;
        return this.contacts.repository.replace(current, fields, actor, {}, [
          this.timeline.systemEntryWrite(current.id, note, cause, actor),
        ]);
      },
    });
  }
}

export const consentService = ({ contacts, timeline, clock }: Needs<'contacts' | 'timeline' | 'clock'>) =>
  new ConsentService({ contacts, timeline, clock });
