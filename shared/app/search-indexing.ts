import type { Contact } from '../domain/contact.ts';
import type { Company } from '../domain/company.ts';
import { LIMITS } from '../domain/limits.ts';
import type { ContactRepository } from '../store/contacts.ts';
import type { CompanyRepository } from '../store/companies.ts';
import { indexVersion, type ApplyReport, type ContactSearchIndex, type IndexEntry, type RebuildReport } from '../search/port.ts';
import type { Needs } from './services.ts';

/**
 * Keeps the search index in line with the table: one contact, a company's members, or the whole
 * table at once. ContactSearchService adds the search API (requests, filters, facets) on top;
 * the search-indexer consumer runs on this part alone, without the API's input rules.
 */
export class SearchIndexing {
  readonly index: ContactSearchIndex;
  protected readonly contacts: ContactRepository;
  protected readonly companies: CompanyRepository;

  constructor(deps: { index: ContactSearchIndex; contacts: ContactRepository; companies: CompanyRepository }) {
    this.index = deps.index;
    this.contacts = deps.contacts;
    this.companies = deps.companies;
  }

  /**
   * Brings the index in line with the table for one contact, as the search-indexer consumer does
   * on every contact event. A contact that is gone is tombstoned above the event's version, so no
   * later-arriving older write can bring it back.
   */
  async indexContact(id: string, eventVersion: number): Promise<ApplyReport> {
    const contact = await this.contacts.get(id, { consistent: true });
    if (!contact) return this.index.apply([{ id, version: indexVersion(eventVersion + 1) }]);
    return this.index.apply(await this.entriesOf([contact]));
  }

  /**
   * Erasure: the contact's document becomes a tombstone (no field but its id) above the version
   * of its record, whatever the record holds, so no late event brings the document back.
   */
  async forget(id: string): Promise<ApplyReport> {
    const record = await this.contacts.record(id, { consistent: true });
    return this.index.apply([{ id, version: indexVersion((record?.version ?? 0) + 1) }]);
  }

  /** Re-indexes the members of a company whose name may have changed (company events). */
  async indexCompany(companyId: string): Promise<ApplyReport> {
    const report: ApplyReport = { written: 0, stale: 0, rejected: [] };
    let cursor: string | undefined;
    do {
      const members = await this.companies.members(companyId, { limit: LIMITS.maxPageSize, cursor });
      const contacts = await this.contacts.getMany(members.results.map((m) => m.contactId));
      const page = await this.index.apply(await this.entriesOf(contacts));
      report.written += page.written;
      report.stale += page.stale;
      report.rejected.push(...page.rejected);
      cursor = members.nextCursor ?? undefined;
    } while (cursor);
    return report;
  }

  /** Rebuilds the whole index from the table's active contacts and swaps it in. */
  reindex(): Promise<RebuildReport> {
    return this.index.rebuild(this.allEntries());
  }

  private async *allEntries(): AsyncGenerator<IndexEntry[]> {
    const companies = new Map<string, Promise<Company | undefined>>();
    for await (const contacts of this.contacts.all('active')) yield await this.entriesOf(contacts, companies);
  }

  /** Index entries of contacts as read from the table, with their companies' names and versions. */
  private async entriesOf(
    contacts: readonly Contact[],
    companies = new Map<string, Promise<Company | undefined>>(),
  ): Promise<IndexEntry[]> {
    return Promise.all(
      contacts.map(async (contact) => {
        if (contact.status !== 'active' || !contact.companyId)
          return { id: contact.id, version: indexVersion(contact.version), contact };
        let company = companies.get(contact.companyId);
        if (!company) companies.set(contact.companyId, (company = this.companies.get(contact.companyId)));
        const found = await company;
        return {
          id: contact.id,
          version: indexVersion(contact.version, found?.version ?? 0),
          contact,
          ...(found ? { companyName: found.name } : {}),
        };
      }),
    );
  }

  /** At process start: create the index if there is none, and fill it from the table if it is new. */
  async prepare(): Promise<{ created: boolean; rebuilt?: RebuildReport }> {
    const { created } = await this.index.ensureReady();
    return created ? { created, rebuilt: await this.reindex() } : { created };
  }
}

export const searchIndexing = ({
  searchIndex,
  contactRepository,
  companyRepository,
}: Needs<'searchIndex' | 'contactRepository' | 'companyRepository'>) =>
  new SearchIndexing({ index: searchIndex, contacts: contactRepository, companies: companyRepository });
