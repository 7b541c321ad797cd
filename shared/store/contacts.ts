import { BatchGetCommand, DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { completenessOf, isErased, primaryEmail, type ErasedContact } from '../domain/contact-record.ts';
import type { Contact, ContactFields, ContactStatus } from '../domain/contact.ts';
import type { Clock } from '../domain/clock.ts';
import type { Engagement } from '../domain/engagement.ts';
import { ITEM_TYPES, keys, type Key } from './keys.ts';
import { contactNotErased } from './erasure-guard.ts';
import { claimDelete, claimPut, claimTransfer, diffClaims } from './claims.ts';
import { isConditionFailure, transactWrite, type GuardedWrite } from './transact.ts';
import { versionedPut } from './versioned.ts';
import { entityOf } from './items.ts';
import { firstVersion, readEntity } from './records.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import type { Store } from './client.ts';

/** The claims a contact must hold: its primary email and each external id. */
export function claimsOf(contact: Pick<ContactFields, 'emails' | 'externalIds'>): Map<string, Key> {
  const claims = new Map<string, Key>();
  const email = primaryEmail(contact);
  if (email) claims.set(`email:${email}`, keys.emailClaim(email));
  for (const [system, externalId] of Object.entries(contact.externalIds ?? {})) {
    claims.set(`ext:${system}:${externalId}`, keys.externalIdClaim(system, externalId));
  }
  return claims;
}

function conflictFor(key: Key): { message: string; path: string } {
  if (key.pk.startsWith('EMAIL#')) {
    return { message: 'Another contact already has this primary email address.', path: 'emails' };
  }
  const [, system] = key.pk.split('#');
  return { message: `Another contact already has this ${system} id.`, path: `externalIds.${system}` };
}

function claimTypeOf(key: Key) {
  return key.pk.startsWith('EMAIL#') ? ITEM_TYPES.emailClaim : ITEM_TYPES.externalIdClaim;
}

export class ContactRepository {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A contact, or `undefined` when there is none or it was erased: nothing reads an erased person. */
  async get(id: string, options: { consistent?: boolean } = {}): Promise<Contact | undefined> {
    const found = await this.record(id, options);
    return found && !isErased(found) ? found : undefined;
  }

  async require(id: string): Promise<Contact> {
    const found = await this.get(id);
    if (!found) throw new NotFoundError('contact', id);
    return found;
  }

  /** The stored item as it is, an erased person's tombstone included (for erasure itself). */
  record(id: string, options: { consistent?: boolean } = {}): Promise<Contact | ErasedContact | undefined> {
    return readEntity<Contact | ErasedContact>(this.store, keys.contact(id), options);
  }

  /** Up to 100 contacts by id, in the order asked; missing ids are left out. */
  async getMany(ids: readonly string[]): Promise<Contact[]> {
    if (ids.length === 0) return [];
    const found = new Map<string, Contact>();
    let pending: Record<string, unknown>[] = [...new Set(ids)].map((id) => ({ ...keys.contact(id) }));
    while (pending.length > 0) {
      const result = await this.store.db.send(
        new BatchGetCommand({ RequestItems: { [this.store.tableName]: { Keys: pending } } }),
      );
      for (const item of result.Responses?.[this.store.tableName] ?? []) {
        const contact = entityOf<Contact | ErasedContact>(item);
        if (!isErased(contact)) found.set(contact.id, contact);
      }
      pending = (result.UnprocessedKeys?.[this.store.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  async create(fields: ContactFields, actor: string): Promise<Contact> {
    const contact = this.newContact(fields, actor, newId(this.clock.now().getTime()));
    await transactWrite(this.store, this.createWrites(contact));
    return entityOf<Contact>({ ...contact });
  }

  /** A contact as `create` would store it, under an id the caller chose (imports derive theirs). */
  newContact(fields: ContactFields, actor: string, id: string, extra: Partial<Contact> = {}): Contact {
    return {
      ...fields,
      ...extra,
      ...firstVersion(this.clock, actor, id),
      status: 'active',
      completeness: completenessOf(fields),
    };
  }

  /**
   * The writes that create a contact: its profile (only if absent), a claim on its primary email
   * and each external id, and its company membership. One transaction, alone or with others.
   */
  createWrites(contact: Contact): GuardedWrite[] {
    const writes: GuardedWrite[] = [this.profilePut(contact, 0)];
    for (const key of claimsOf(contact).values()) {
      writes.push(claimPut(this.store.tableName, key, claimTypeOf(key), contact.id, conflictFor(key), contact.createdAt));
    }
    writes.push(...this.membershipWrites(contact.id, undefined, contact.companyId, contact.createdAt));
    return writes;
  }

  /**
   * Replaces the contact's fields, moving claims and the company membership with it, in one
   * transaction that only succeeds if nobody wrote the contact since `current` was read.
   */
  async replace(
    current: Contact,
    fields: ContactFields,
    actor: string,
    extra: Partial<Contact> = {},
    alsoWrite: GuardedWrite[] = [],
  ): Promise<Contact> {
    const now = this.clock.now().toISOString();
    const next: Contact = {
      ...pickServerFields(current),
      ...fields,
      ...extra,
      id: current.id,
      createdAt: current.createdAt,
      status: extra.status ?? current.status,
      version: current.version + 1,
      updatedAt: now,
      updatedBy: actor,
      completeness: completenessOf(fields),
    };
    const { added, removed } = diffClaims(claimsOf(current), claimsOf(next));
    const writes: GuardedWrite[] = [
      this.profilePut(next, current.version),
      ...removed.map((key) => claimDelete(this.store.tableName, key, current.id)),
      ...added.map((key) => claimPut(this.store.tableName, key, claimTypeOf(key), current.id, conflictFor(key), now)),
      ...this.membershipWrites(current.id, current.companyId, next.companyId, now),
      ...alsoWrite,
    ];
    await transactWrite(this.store, writes);
    return entityOf<Contact>({ ...next });
  }

  /** Archive or restore: the record and its claims stay, only its status and list move. */
  async setStatus(current: Contact, status: Extract<ContactStatus, 'active' | 'archived'>, actor: string): Promise<Contact> {
    const now = this.clock.now().toISOString();
    const next: Contact = { ...current, status, version: current.version + 1, updatedAt: now, updatedBy: actor };
    await transactWrite(this.store, [this.profilePut(next, current.version)]);
    return entityOf<Contact>({ ...next });
  }

  /**
   * One transaction of a merge: the survivor takes `fields` (claims and membership follow, and
   * claims the loser holds may pass to it), the loser becomes a tombstone pointing at it, and
   * `extra` (the merge checkpoint) moves on, or none of it happens.
   */
  async absorb(
    survivor: Contact,
    loser: Contact,
    merged: { fields: ContactFields; mergedFrom: string[]; lastInteractionAt?: string },
    actor: string,
    extra: GuardedWrite[],
  ): Promise<{ survivor: Contact; tombstone: Contact }> {
    const now = this.clock.now().toISOString();
    const next: Contact = {
      ...pickServerFields(survivor),
      ...merged.fields,
      id: survivor.id,
      createdAt: survivor.createdAt < loser.createdAt ? survivor.createdAt : loser.createdAt,
      status: survivor.status,
      mergedFrom: merged.mergedFrom,
      ...(merged.lastInteractionAt ? { lastInteractionAt: merged.lastInteractionAt } : {}),
      version: survivor.version + 1,
      updatedAt: now,
      updatedBy: actor,
      completeness: completenessOf(merged.fields),
    };
    const tombstone: Contact = {
      ...loser,
      status: 'merged',
      mergedInto: survivor.id,
      version: loser.version + 1,
      updatedAt: now,
      updatedBy: actor,
    };
    const { added, removed } = diffClaims(claimsOf(survivor), claimsOf(next));
    const writes: GuardedWrite[] = [
      this.profilePut(next, survivor.version),
      this.profilePut(tombstone, loser.version),
      ...removed.map((key) => claimDelete(this.store.tableName, key, survivor.id)),
      ...added.map((key) =>
        claimTransfer(this.store.tableName, key, claimTypeOf(key), loser.id, survivor.id, conflictFor(key), now),
      ),
      ...this.membershipWrites(survivor.id, survivor.companyId, next.companyId, now),
      ...extra,
    ];
    await transactWrite(this.store, writes);
    return { survivor: next, tombstone };
  }

  /**
   * Sets the contact's engagement (a new version, so its ETag moves and the change is published)
   * in one transaction with `alongside`, e.g. the activity that changed it.
   */
  async recordEngagement(
    current: Contact,
    engagement: Engagement | undefined,
    actor: string,
    alongside: GuardedWrite[] = [],
  ): Promise<Contact> {
    const { lastInteractionAt: _l, engagementScore: _e, ...rest } = current;
    const next: Contact = {
      ...rest,
      ...engagement,
      version: current.version + 1,
      updatedAt: this.clock.now().toISOString(),
      updatedBy: actor,
    };
    await transactWrite(this.store, [this.profilePut(next, current.version), ...alongside]);
    return next;
  }

  /** A transaction guard: the contact exists and has been neither merged away nor erased. */
  existsCheck(id: string): GuardedWrite {
    return {
      item: {
        ConditionCheck: {
          TableName: this.store.tableName,
          Key: keys.contact(id),
          ConditionExpression: 'attribute_exists(pk) AND NOT (#status IN (:merged, :erased))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':merged': 'merged', ':erased': 'erased' },
        },
      },
      onConditionFailed: () => new NotFoundError('contact', id),
    };
  }

  /**
   * A transaction guard for writes that may carry a person's values into another item (a
   * history entry, a duplicate suggestion): the contact is not erased. An absent one passes.
   */
  notErasedCheck(id: string): GuardedWrite {
    return contactNotErased(this.store.tableName, id);
  }

  /**
   * Replaces a person's record by its erased tombstone, if nobody wrote it since `current` was
   * read. The tombstone leaves every list (no GSI keys) and holds no personal data.
   */
  async erase(current: Contact, erasure: { erasureId: string; at: string; actor: string }): Promise<ErasedContact> {
    const tombstone: ErasedContact = {
      id: current.id,
      status: 'erased',
      version: current.version + 1,
      erasureId: erasure.erasureId,
      erasedAt: erasure.at,
      erasedBy: erasure.actor,
      updatedAt: erasure.at,
      updatedBy: erasure.actor,
    };
    await transactWrite(this.store, [
      versionedPut(
        this.store.tableName,
        keys.contact(current.id),
        { ...tombstone, entityType: ITEM_TYPES.contact },
        current.version,
        'contact',
        current.id,
      ),
    ]);
    return tombstone;
  }

  /** Deletes the claims a record holds (its primary email, external ids) while one of `owners` holds them. */
  async releaseClaims(contact: Pick<ContactFields, 'emails' | 'externalIds'>, owners: readonly string[]): Promise<number> {
    let released = 0;
    for (const key of claimsOf(contact).values()) {
      const names = owners.map((_, i) => `:o${i}`);
      try {
        await this.store.db.send(
          new DeleteCommand({
            TableName: this.store.tableName,
            Key: key,
            ConditionExpression: `ownerId IN (${names.join(', ')})`,
            ExpressionAttributeValues: Object.fromEntries(owners.map((owner, i) => [`:o${i}`, owner])),
          }),
        );
        released++;
      } catch (error) {
        // Gone already, or it changed hands since: not this person's to delete.
        if (!isConditionFailure(error)) throw error;
      }
    }
    return released;
  }

  async list(status: 'active' | 'archived', page: PageRequest): Promise<Page<Contact>> {
    return queryPage<Contact>(this.store, {
      ...page,
      index: 'gsi1',
      partition: keys.contactListPartition(status),
      newestFirst: true,
    });
  }

  /** Every contact of a status, page by page (oldest first): what a search index is rebuilt from. */
  async *all(status: 'active' | 'archived', pageSize = 500): AsyncGenerator<Contact[]> {
    let cursor: string | undefined;
    do {
      const page = await queryPage<Contact>(this.store, {
        limit: pageSize,
        cursor,
        index: 'gsi1',
        partition: keys.contactListPartition(status),
      });
      if (page.results.length > 0) yield page.results;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async findOwnerOfEmail(address: string): Promise<string | undefined> {
    return this.claimOwner(keys.emailClaim(address));
  }

  async findOwnerOfExternalId(system: string, externalId: string): Promise<string | undefined> {
    return this.claimOwner(keys.externalIdClaim(system, externalId));
  }

  private async claimOwner(key: Key): Promise<string | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: key, ConsistentRead: true }),
    );
    return Item?.ownerId as string | undefined;
  }

  private profilePut(contact: Contact, expectedVersion: number): GuardedWrite {
    const listed = contact.status === 'active' || contact.status === 'archived';
    const item = {
      ...contact,
      entityType: ITEM_TYPES.contact,
      ...(listed ? keys.contactList(contact.status as 'active' | 'archived', contact.id) : {}),
    };
    return versionedPut(this.store.tableName, keys.contact(contact.id), item, expectedVersion, 'contact', contact.id);
  }

  private membershipWrites(
    contactId: string,
    before: string | undefined,
    after: string | undefined,
    now: string,
  ): GuardedWrite[] {
    if (before === after) return [];
    const writes: GuardedWrite[] = [];
    if (before) {
      writes.push({ item: { Delete: { TableName: this.store.tableName, Key: keys.membership(contactId, before) } } });
    }
    if (after) {
      writes.push({
        item: {
          ConditionCheck: {
            TableName: this.store.tableName,
            Key: keys.company(after),
            ConditionExpression: 'attribute_exists(pk) AND #status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':active': 'active' },
          },
        },
        onConditionFailed: () => ValidationError.of('companyId', 'is not an active company'),
      });
      writes.push({
        item: {
          Put: {
            TableName: this.store.tableName,
            Item: {
              ...keys.membership(contactId, after),
              ...keys.membershipByCompany(after, contactId),
              entityType: ITEM_TYPES.membership,
              contactId,
              companyId: after,
              since: now,
            },
          },
        },
      });
    }
    return writes;
  }
}

/** Fields the server keeps across a replace, whatever the new writable fields are. */
function pickServerFields(current: Contact): Partial<Contact> {
  const { id, createdAt, createdBy, status, lastInteractionAt, engagementScore, mergedFrom, mergedInto } = current;
  return Object.fromEntries(
    Object.entries({ id, createdAt, createdBy, status, lastInteractionAt, engagementScore, mergedFrom, mergedInto }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}
