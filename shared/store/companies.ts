import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../domain/ids.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { Company, CompanyFields } from '../domain/company.ts';
import type { Clock } from '../domain/clock.ts';
import { ITEM_TYPES, keys, type Key } from './keys.ts';
import { claimDelete, claimPut, diffClaims } from './claims.ts';
import { transactWrite, type GuardedWrite } from './transact.ts';
import { versionedPut } from './versioned.ts';
import { entityOf } from './items.ts';
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

  async get(id: string): Promise<Company | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.company(id), ConsistentRead: true }),
    );
    return Item ? entityOf<Company>(Item) : undefined;
  }

  async require(id: string): Promise<Company> {
    const company = await this.get(id);
    if (!company) throw new NotFoundError('company', id);
    return company;
  }

  async create(fields: CompanyFields, actor: string): Promise<Company> {
    const now = this.clock.now().toISOString();
    const company: Company = {
      ...fields,
      id: newId(this.clock.now().getTime()),
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: actor,
      updatedBy: actor,
      status: 'active',
    };
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
    const now = this.clock.now().toISOString();
    const next: Company = {
      ...fields,
      id: current.id,
      createdAt: current.createdAt,
      createdBy: current.createdBy,
      status,
      version: current.version + 1,
      updatedAt: now,
      updatedBy: actor,
    };
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
