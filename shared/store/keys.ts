/**
 * Every key shape of the table, and the only place that spells one.
 * `type` values double as the entity names of domain events.
 */
export const ITEM_TYPES = {
  contact: 'contact',
  company: 'company',
  membership: 'membership',
  emailClaim: 'email_claim',
  externalIdClaim: 'external_id_claim',
  domainClaim: 'domain_claim',
  field: 'field',
  apiKey: 'api_key',
  idempotency: 'idempotency',
  /** Field history entries, written by the history consumer; the stream translator ignores them. */
  history: 'history',
} as const;
export type ItemType = (typeof ITEM_TYPES)[keyof typeof ITEM_TYPES];

export interface Key {
  pk: string;
  sk: string;
}

export type ListStatus = 'active' | 'archived';

export const keys = {
  contact: (id: string): Key => ({ pk: `CONTACT#${id}`, sk: 'PROFILE' }),
  /** GSI1: contacts newest first, per status. */
  contactList: (status: ListStatus, id: string) => ({ gsi1pk: `CONTACTS#${status}`, gsi1sk: id }),
  contactListPartition: (status: ListStatus) => `CONTACTS#${status}`,

  emailClaim: (address: string): Key => ({ pk: `EMAIL#${address}`, sk: 'CLAIM' }),
  externalIdClaim: (system: string, externalId: string): Key => ({ pk: `EXT#${system}#${externalId}`, sk: 'CLAIM' }),

  company: (id: string): Key => ({ pk: `COMPANY#${id}`, sk: 'PROFILE' }),
  companyList: (status: ListStatus, id: string) => ({ gsi1pk: `COMPANIES#${status}`, gsi1sk: id }),
  companyListPartition: (status: ListStatus) => `COMPANIES#${status}`,
  domainClaim: (domain: string): Key => ({ pk: `DOMAIN#${domain}`, sk: 'CLAIM' }),

  /** The contact's side of a company membership; GSI1 gives the company's side. */
  membership: (contactId: string, companyId: string): Key => ({ pk: `CONTACT#${contactId}`, sk: `MEMBER#COMPANY#${companyId}` }),
  membershipByCompany: (companyId: string, contactId: string) => ({ gsi1pk: `MEMBERS#${companyId}`, gsi1sk: contactId }),
  membersPartition: (companyId: string) => `MEMBERS#${companyId}`,

  fieldDefinition: (entity: 'contact', key: string): Key => ({ pk: `SCHEMA#${entity}`, sk: `FIELD#${key}` }),
  fieldDefinitionsPartition: (entity: 'contact') => `SCHEMA#${entity}`,

  apiKey: (secretHash: string): Key => ({ pk: `APIKEY#${secretHash}`, sk: 'KEY' }),
  apiKeyById: (keyId: string) => ({ gsi1pk: 'APIKEYS', gsi1sk: keyId }),
  apiKeysPartition: () => 'APIKEYS',

  idempotency: (scope: string, idempotencyKey: string): Key => ({ pk: `IDEMPOTENCY#${scope}#${idempotencyKey}`, sk: 'RECORD' }),

  /**
   * One field history entry per entity version, in the entity's own partition. Keyed by version
   * (zero-padded, so newest first is descending sk): a redelivered event lands on the same key.
   */
  history: (entity: HistoryEntity, id: string, version: number): Key => ({
    pk: historyPartition(entity, id),
    sk: `${HISTORY_PREFIX}${String(version).padStart(10, '0')}`,
  }),
  historyPartition: (entity: HistoryEntity, id: string) => historyPartition(entity, id),
  historyPrefix: () => HISTORY_PREFIX,
} as const;

/** Entities whose field history Kith keeps. */
export type HistoryEntity = 'contact' | 'company';
const HISTORY_PREFIX = 'HIST#';

function historyPartition(entity: HistoryEntity, id: string): string {
  return entity === 'contact' ? keys.contact(id).pk : keys.company(id).pk;
}
