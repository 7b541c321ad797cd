import { isDeepStrictEqual } from 'node:util';
import { normalizeContact, patchContact, writableFields, type Contact, type ContactRules } from '../domain/contact.ts';
import { NotFoundError, SuppressedIdentityError } from '../domain/errors.ts';
import { identityKeysOf } from '../domain/import-row.ts';
import type { SuppressionRepository } from '../store/suppressions.ts';
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
  private readonly suppressions: SuppressionRepository | undefined;

  constructor(
    repository: ContactRepository,
    fields: FieldDefinitionRepository,
    settings: Settings,
    suppressions?: SuppressionRepository,
  ) {
    this.repository = repository;
    this.fields = fields;
    this.settings = settings;
    this.suppressions = suppressions;
  }

  async rules(): Promise<ContactRules> {
    return { definitions: await this.fields.all(), defaultRegion: this.settings.defaultPhoneRegion };
  }

  /**
   * Creates a contact. An email, phone or external id of a person who was erased is refused (409
   * `suppressed`) unless `allowSuppressed`: a person who asked to be forgotten does not come back
   * by accident.
   */
  async create(input: unknown, actor: string, options: { allowSuppressed?: boolean } = {}): Promise<Contact> {
    const fields = normalizeContact(input, await this.rules());
    if (this.suppressions && !options.allowSuppressed) {
      const suppressed = await this.suppressions.suppressed(identityKeysOf(fields));
      if (suppressed.size > 0) {
        const paths = [
          ...fields.emails.flatMap((e, i) => (suppressed.has(`email:${e.address}`) ? [`emails[${i}].address`] : [])),
          ...fields.phones.flatMap((p, i) => (suppressed.has(`phone:${p.number}`) ? [`phones[${i}].number`] : [])),
          ...Object.entries(fields.externalIds ?? {}).flatMap(([system, id]) =>
            suppressed.has(`ext:${system}:${id}`) ? [`externalIds.${system}`] : [],
          ),
        ];
        throw new SuppressedIdentityError(paths);
      }
    }
    return this.repository.create(fields, actor);
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

export const contactService = ({
  contactRepository,
  fields,
  settings,
  suppressions,
}: Needs<'contactRepository' | 'fields' | 'settings' | 'suppressions'>) =>
  new ContactService(contactRepository, fields, settings, suppressions);
