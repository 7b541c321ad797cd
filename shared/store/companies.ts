import { newId } from '../domain/ids.ts';
import type { Company, CompanyFields } from '../domain/company.ts';
import type { Clock } from '../domain/clock.ts';
import { ITEM_TYPES, keys, type Key } from './keys.ts';
import { claimDelete, claimPut, diffClaims } from './claims.ts';
import { transactWrite, type GuardedWrite } from './transact.ts';
import { versionedPut } from './versioned.ts';
import { entityOf } from './items.ts';
import { firstVersion, nextVersion, readEntity, requireEntity } from './records.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import type { Store } from './client.ts';

function claimsOf(company: Pick<CompanyFields, 'domain'>): Map<string, Key> {
  return company.domain ? new Map([[company.domain, keys.domainClaim(company.domain)]]) : new Map();
}

const DOMAIN_CONFLICT = { message: 'Another company already has this domain.', path: 'domain' };

export interface Membership {
  contactId: string;
  companyId: string;
  since: string;
}

export class CompanyRepository {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  get(id: string): Promise<Company | undefined> {
    return readEntity<Company>(this.store, keys.company(id));
  }

  require(id: string): Promise<Company> {
    return requireEntity<Company>(this.store, keys.company(id), 'company', id);
  }

  async create(fields: CompanyFields, actor: string): Promise<Company> {
    const meta = firstVersion(this.clock, actor, newId(this.clock.now().getTime()));
    const now = meta.createdAt;
    const company: Company = { ...fields, ...meta, status: 'active' };
    const writes = [
      this.profilePut(company, 0),
      ...[...claimsOf(company).values()].map((key) =>
        claimPut(this.store.tableName, key, ITEM_TYPES.domainClaim, company.id, DOMAIN_CONFLICT, now),
      ),
    ];
    await transactWrite(this.store, writes);
    return entityOf<Company>({ ...company });
  }

  async replace(current: Company, fields: CompanyFields, actor: string, status = current.status): Promise<Company> {
    const next: Company = { ...fields, ...nextVersion(current, this.clock, actor), status };
    const now = next.updatedAt;
    const { added, removed } = diffClaims(claimsOf(current), claimsOf(next));
    const writes: GuardedWrite[] = [
      this.profilePut(next, current.version),
      ...removed.map((key) => claimDelete(this.store.tableName, key, current.id)),
      ...added.map((key) => claimPut(this.store.tableName, key, ITEM_TYPES.domainClaim, current.id, DOMAIN_CONFLICT, now)),
    ];
    await transactWrite(this.store, writes);
    return entityOf<Company>({ ...next });
  }

  async list(status: 'active' | 'archived', page: PageRequest): Promise<Page<Company>> {
    return queryPage<Company>(this.store, {
      ...page,
      index: 'gsi1',
      partition: keys.companyListPartition(status),
      newestFirst: true,
    });
  }

  /** Memberships of a company, oldest member first. */
  async members(companyId: string, page: PageRequest): Promise<Page<Membership>> {
    return queryPage<Membership>(this.store, { ...page, index: 'gsi1', partition: keys.membersPartition(companyId) });
  }

  private profilePut(company: Company, expectedVersion: number): GuardedWrite {
    const item = { ...company, entityType: ITEM_TYPES.company, ...keys.companyList(company.status, company.id) };
    return versionedPut(this.store.tableName, keys.company(company.id), item, expectedVersion, 'company', company.id);
  }
}
