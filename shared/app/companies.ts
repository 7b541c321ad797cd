import { normalizeCompany, patchCompany, type Company } from '../domain/company.ts';
import { writeWithRetry } from './optimistic.ts';
import type { Contact } from '../domain/contact.ts';
import type { CompanyRepository } from '../store/companies.ts';
import type { ContactRepository } from '../store/contacts.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { Needs, Settings } from './services.ts';

export class CompanyService {
  readonly repository: CompanyRepository;
  private readonly contacts: ContactRepository;
  private readonly settings: Settings;

  constructor(repository: CompanyRepository, contacts: ContactRepository, settings: Settings) {
    this.repository = repository;
    this.contacts = contacts;
    this.settings = settings;
  }

  async create(input: unknown, actor: string): Promise<Company> {
    return this.repository.create(normalizeCompany(input, this.settings.defaultPhoneRegion), actor);
  }

  get(id: string): Promise<Company> {
    return this.repository.require(id);
  }

  async update(id: string, patch: unknown, actor: string, ifMatch?: number): Promise<Company> {
    return this.retryOnRace(id, ifMatch, (current) =>
      this.repository.replace(current, patchCompany(current, patch, this.settings.defaultPhoneRegion), actor),
    );
  }

  async archive(id: string, actor: string, ifMatch?: number): Promise<Company> {
    return this.retryOnRace(id, ifMatch, async (current) => {
      if (current.status === 'archived') return current;
      const {
        id: _i,
        version: _v,
        createdAt: _c,
        updatedAt: _u,
        createdBy: _cb,
        updatedBy: _ub,
        status: _s,
        ...fields
      } = current;
      return this.repository.replace(current, fields, actor, 'archived');
    });
  }

  list(status: 'active' | 'archived', page: PageRequest): Promise<Page<Company>> {
    return this.repository.list(status, page);
  }

  /** The contacts that are members of a company: one query, one batch read. */
  async contactsOf(companyId: string, page: PageRequest): Promise<Page<Contact>> {
    await this.repository.require(companyId);
    const members = await this.repository.members(companyId, page);
    const contacts = await this.contacts.getMany(members.results.map((m) => m.contactId));
    return { results: contacts, nextCursor: members.nextCursor };
  }

  private retryOnRace(id: string, ifMatch: number | undefined, write: (current: Company) => Promise<Company>): Promise<Company> {
    return writeWithRetry({ entity: 'company', id, ifMatch, load: () => this.repository.require(id), write });
  }
}

export const companyService = ({
  companyRepository,
  contactRepository,
  settings,
}: Needs<'companyRepository' | 'contactRepository' | 'settings'>) =>
  new CompanyService(companyRepository, contactRepository, settings);
