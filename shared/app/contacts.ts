import { isDeepStrictEqual } from 'node:util';
import { normalizeContact, patchContact, writableFields, type Contact, type ContactRules } from '../domain/contact.ts';
import { NotFoundError } from '../domain/errors.ts';
import { normalizeTags } from '../domain/normalize.ts';
import { writeWithRetry } from './optimistic.ts';
import type { ContactRepository } from '../store/contacts.ts';
import type { FieldDefinitionRepository } from '../store/fields.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { Needs, Settings } from './services.ts';

/** Contact use cases: validation against the live field definitions, then the repository. */
export class ContactService {
  readonly repository: ContactRepository;
  private readonly fields: FieldDefinitionRepository;
  private readonly settings: Settings;

  constructor(repository: ContactRepository, fields: FieldDefinitionRepository, settings: Settings) {
    this.repository = repository;
    this.fields = fields;
    this.settings = settings;
  }

  async rules(): Promise<ContactRules> {
    return { definitions: await this.fields.all(), defaultRegion: this.settings.defaultPhoneRegion };
  }

  async create(input: unknown, actor: string): Promise<Contact> {
    return this.repository.create(normalizeContact(input, await this.rules()), actor);
  }

  /** A contact as readers see it: archived ones too, merged ones lead to their survivor. */
  async get(id: string): Promise<Contact> {
    const contact = await this.repository.require(id);
    if (contact.status === 'merged' && contact.mergedInto) {
      const survivor = await this.repository.get(contact.mergedInto);
      if (survivor) return survivor;
    }
    return contact;
  }

  /**
   * JSON merge patch. With `ifMatch` the write succeeds only on that version (else 412);
   * without it, a concurrent change is re-read and the patch applied again.
   */
  async update(id: string, patch: unknown, actor: string, ifMatch?: number): Promise<Contact> {
    return this.retryOnRace(id, ifMatch, async (current) => {
      return this.repository.replace(current, patchContact(current, patch, await this.rules()), actor);
    });
  }

  /**
   * A merge patch that writes only when it changes something, so applying it again (an automation
   * retried) makes no new version and no event. `changed` says whether this call wrote.
   */
  async updateIfChanged(id: string, patch: unknown, actor: string): Promise<{ contact: Contact; changed: boolean }> {
    let changed = false;
    const contact = await this.retryOnRace(id, undefined, async (current) => {
      const fields = patchContact(current, patch, await this.rules());
      changed = !isDeepStrictEqual({ ...writableFields(current) }, { ...fields });
      return changed ? this.repository.replace(current, fields, actor) : current;
    });
    return { contact, changed };
  }

  async archive(id: string, actor: string, ifMatch?: number): Promise<Contact> {
    return this.retryOnRace(id, ifMatch, async (current) =>
      current.status === 'archived' ? current : this.repository.setStatus(current, 'archived', actor),
    );
  }

  async restore(id: string, actor: string): Promise<Contact> {
    return this.retryOnRace(id, undefined, async (current) =>
      current.status === 'active' ? current : this.repository.setStatus(current, 'active', actor),
    );
  }

  /** Adds and removes tags without a read-modify-write race on the client's side. */
  async tag(id: string, change: { add?: string[]; remove?: string[] }, actor: string): Promise<Contact> {
    return (await this.tagIfNeeded(id, change, actor)).contact;
  }

  /** `tag`, saying whether it wrote: tags already as asked make no new version. */
  async tagIfNeeded(
    id: string,
    change: { add?: string[]; remove?: string[] },
    actor: string,
  ): Promise<{ contact: Contact; changed: boolean }> {
    const add = normalizeTags(change.add ?? []);
    const remove = new Set(normalizeTags(change.remove ?? []));
    let changed = false;
    const contact = await this.retryOnRace(id, undefined, async (current) => {
      const tags = [...new Set([...current.tags, ...add])].filter((tag) => !remove.has(tag));
      changed = !(tags.length === current.tags.length && tags.every((t, i) => t === current.tags[i]));
      return changed ? this.repository.replace(current, patchContact(current, { tags }, await this.rules()), actor) : current;
    });
    return { contact, changed };
  }

  async list(status: 'active' | 'archived', page: PageRequest): Promise<Page<Contact>> {
    return this.repository.list(status, page);
  }

  private retryOnRace(id: string, ifMatch: number | undefined, write: (current: Contact) => Promise<Contact>): Promise<Contact> {
    return writeWithRetry({
      entity: 'contact',
      id,
      ifMatch,
      load: async () => {
        const current = await this.repository.require(id);
        if (current.status === 'merged') throw new NotFoundError('contact', id);
        return current;
      },
      write,
    });
  }
}

export const contactService = ({ contactRepository, fields, settings }: Needs<'contactRepository' | 'fields' | 'settings'>) =>
  new ContactService(contactRepository, fields, settings);
