import { isPlainObject } from '../domain/merge-patch.ts';
import { NotFoundError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';
import { displayName } from '../domain/contact.ts';
import { isTypeKey, relationshipSides, type Relationship } from '../domain/relationships.ts';
import { searchIntroductions, type IntroductionPath } from '../domain/introductions.ts';
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../store/client.ts';
import { tieId, type RelationshipRepository } from '../store/relationships.ts';
import { transactWrite } from '../store/transact.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { ContactService } from './contacts.ts';
import { writeWithRetry } from './optimistic.ts';

export interface Introductions {
  results: (IntroductionPath & { contacts: { id: string; name: string }[] })[];
  complete: boolean;
}

/** The relationship map: typed ties between contacts, and the warm introductions they open. */
export class RelationshipService {
  readonly repository: RelationshipRepository;
  private readonly store: Store;
  private readonly contacts: ContactService;
  private readonly clock: Clock;

  constructor(deps: { store: Store; repository: RelationshipRepository; contacts: ContactService; clock: Clock }) {
    this.store = deps.store;
    this.repository = deps.repository;
    this.contacts = deps.contacts;
    this.clock = deps.clock;
  }

  /**
   * Ties two contacts, or updates the tie of that type between them: both ends in one
   * transaction, guarded by both contacts existing. `created` tells a new tie from an update.
   */
  async connect(contactId: string, input: unknown, actor: string): Promise<{ relationship: Relationship; created: boolean }> {
    const contact = await this.contacts.get(contactId);
    relationshipSides(contact.id, input); // 422 before any other read
    const other = await this.contacts.get((input as { otherId: string }).otherId);
    const { side } = relationshipSides(contact.id, isPlainObject(input) ? { ...input, otherId: other.id } : input);
    const id = tieId(side);
    let created = false;
    const { id: _id, ...relationship } = await writeWithRetry({
      entity: 'relationship',
      id,
      ifMatch: undefined,
      load: async () => {
        const current = await this.repository.get(side.contactId, side.typeKey, side.otherId);
        return { id, ...(current ?? { ...side, version: 0, createdAt: '', updatedAt: '', createdBy: '', updatedBy: '' }) };
      },
      write: async (current) => {
        const now = this.clock.now().toISOString();
        const next: Relationship = {
          ...side,
          version: current.version + 1,
          createdAt: current.version === 0 ? now : current.createdAt,
          createdBy: current.version === 0 ? actor : current.createdBy,
          updatedAt: now,
          updatedBy: actor,
        };
        const guards =
          current.version === 0
            ? [this.contacts.repository.existsCheck(side.contactId), this.contacts.repository.existsCheck(side.otherId)]
            : [];
        await transactWrite(this.store, [...this.repository.putWrites(next, current.version), ...guards]);
        created = current.version === 0;
        return { id, ...next };
      },
    });
    return { relationship, created };
  }

  /** Removes a tie from both ends in one transaction. */
  async disconnect(contactId: string, typeKey: string, otherId: string, ifMatch?: number): Promise<void> {
    const contact = await this.contacts.get(contactId);
    const id = `${contact.id}/${typeKey}/${otherId}`;
    if (!isTypeKey(typeKey)) throw new NotFoundError('relationship', id);
    await writeWithRetry({
      entity: 'relationship',
      id,
      ifMatch,
      load: async () => {
        const current = await this.repository.get(contact.id, typeKey, otherId);
        if (!current) throw new NotFoundError('relationship', id);
        return { ...current, id };
      },
      write: async ({ id: _id, ...current }) => {
        await transactWrite(this.store, this.repository.deleteWrites(current));
        return { id, ...current };
      },
    });
  }

  /**
   * Merge: re-points every tie of the loser to the survivor, both ends in one transaction per
   * tie. A tie between the two merged contacts disappears; a tie the survivor already has with
   * the same contact and type keeps the stronger strength. Resumable and idempotent.
   */
  async moveRelationships(loserId: string, survivorId: string, actor = 'system:merge'): Promise<number> {
    let moved = 0;
    for (;;) {
      const page = await this.repository.list(loserId, { limit: LIMITS.mergeMoveBatchSize });
      if (page.results.length === 0) return moved;
      for (const tie of page.results) {
        await this.moveTie(tie, survivorId, actor);
        moved++;
      }
    }
  }

  private async moveTie(tie: Relationship, survivorId: string, actor: string): Promise<void> {
    const drop = this.repository.deleteWrites(tie);
    if (tie.otherId === survivorId) return transactWrite(this.store, drop);
    const existing = await this.repository.get(survivorId, tie.typeKey, tie.otherId);
    const now = this.clock.now().toISOString();
    const { version: _v, createdAt: _c, createdBy: _cb, ...fields } = tie;
    const merged: Relationship = {
      ...(existing ?? tie),
      ...(existing ? { strength: Math.max(existing.strength, tie.strength), notes: existing.notes ?? tie.notes } : fields),
      contactId: survivorId,
      version: (existing?.version ?? 0) + 1,
      updatedAt: now,
      updatedBy: actor,
    };
    await transactWrite(this.store, [...this.repository.putWrites(merged, existing?.version ?? 0), ...drop]);
  }

  async get(contactId: string, typeKey: string, otherId: string): Promise<Relationship> {
    const contact = await this.contacts.get(contactId);
    const found = isTypeKey(typeKey) ? await this.repository.get(contact.id, typeKey, otherId) : undefined;
    if (!found) throw new NotFoundError('relationship', `${contact.id}/${typeKey}/${otherId}`);
    return found;
  }

  async list(contactId: string, page: PageRequest, typeKey?: string): Promise<Page<Relationship>> {
    const contact = await this.contacts.get(contactId);
    return this.repository.list(contact.id, page, typeKey);
  }

  /**
   * The best warm-introduction paths from one contact to another, of up to three hops, ranked by
   * the product of tie strengths. Reads at most 2 + LIMITS.maxIntroductionExpansions tie lists.
   */
  async introductions(sourceId: string, targetId: string): Promise<Introductions> {
    const [source, target] = await Promise.all([this.contacts.get(sourceId), this.contacts.get(targetId)]);
    const search = await searchIntroductions(source.id, target.id, (id) => this.repository.ties(id, LIMITS.maxTiesPerContact), {
      maxHops: LIMITS.maxIntroductionHops,
      maxPaths: LIMITS.maxIntroductionPaths,
      maxExpansions: LIMITS.maxIntroductionExpansions,
      concurrency: LIMITS.introductionQueryConcurrency,
    });
    const people = new Map(
      (await this.contacts.repository.getMany([...new Set(search.results.flatMap((p) => p.contactIds))])).map((c) => [
        c.id,
        displayName(c),
      ]),
    );
    return {
      results: search.results.map((path) => ({
        ...path,
        contacts: path.contactIds.map((id) => ({ id, name: people.get(id) ?? '(unknown)' })),
      })),
      complete: search.complete,
    };
  }
}
