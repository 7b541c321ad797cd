import { isErased } from '../domain/contact-record.ts';
import type { Contact } from '../domain/contact.ts';
import type { Company } from '../domain/company.ts';
import type { Clock } from '../domain/clock.ts';
import { NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';
import { blockingKeys } from '../domain/dedup/blocking.ts';
import { DuplicateFinder, orderedIds, pairOf, type ScoredPair } from '../domain/dedup/engine.ts';
import {
  identityFingerprint,
  identityOfContact,
  matchProfile,
  type IdentityRecord,
  type MatchProfile,
} from '../domain/dedup/profile.ts';
import type { PhoneReader } from '../domain/dedup/identity.ts';
import { SUGGEST_THRESHOLD } from '../domain/dedup/scoring.ts';
import { nextSuggestion, pairId, requirePairId, type DuplicatePair } from '../domain/dedup/suggestions.ts';
import type { ContactRepository } from '../store/contacts.ts';
import type { CompanyRepository } from '../store/companies.ts';
import { DedupIndexRepository, DuplicateRepository } from '../store/duplicates.ts';
import { ITEM_TYPES } from '../store/keys.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import { scanEntities } from '../store/scan.ts';
import type { Store } from '../store/client.ts';
import type { Needs, Settings } from './services.ts';

/** A stored contact that may be the same person as the record asked about. */
export interface DuplicateMatch {
  contactId: string;
  score: number;
  reasons: string[];
}

/** What one contact's sync did, for logs and tests. */
export interface SyncOutcome {
  contactId: string;
  action: 'indexed' | 'unchanged' | 'removed';
  candidates: number;
  written: number;
}

export interface AuditReport {
  contacts: number;
  candidatePairs: number;
  matchingPairs: number;
  written: number;
  reindexed: number;
  /** Milliseconds of the scan, and of normalizing, blocking and scoring in memory. */
  scanMs: number;
  matchMs: number;
  writeMs: number;
}

/**
 * Duplicate detection over the table: the dedup consumer's per-contact sync, the periodic
 * audit, the steward's list and dismiss, and the against-base lookup imports use.
 *
 * Candidates come from blocking-key items in the table (`DEDUPKEY#<key>` → contact ids),
 * written here and only here, never in the API's write transaction. They work the same on
 * DynamoDB and DynamoDB Local, need no search cluster, and cost one small Query per key.
 */
export class DuplicateService {
  private readonly store: Store;
  private readonly pairs: DuplicateRepository;
  private readonly index: DedupIndexRepository;
  private readonly contacts: ContactRepository;
  private readonly companies: CompanyRepository;
  private readonly settings: Settings;
  private readonly readPhone: PhoneReader;
  private readonly clock: Clock;

  constructor(deps: {
    store: Store;
    pairs: DuplicateRepository;
    index: DedupIndexRepository;
    contacts: ContactRepository;
    companies: CompanyRepository;
    settings: Settings;
    /** How the records it profiles write their phones (see ProfileSettings.readPhone). */
    readPhone: PhoneReader;
    clock: Clock;
  }) {
    this.store = deps.store;
    this.pairs = deps.pairs;
    this.index = deps.index;
    this.contacts = deps.contacts;
    this.companies = deps.companies;
    this.settings = deps.settings;
    this.readPhone = deps.readPhone;
    this.clock = deps.clock;
  }

  /** The normalized identity of any record: a contact's fields, an import row, a stored contact. */
  profileOf(record: IdentityRecord): MatchProfile {
    return matchProfile(record, { defaultRegion: this.settings.defaultPhoneRegion, readPhone: this.readPhone });
  }

  /**
   * Brings a contact's blocking keys and suggestions up to date with its stored state. Reads the
   * contact itself, so a duplicated or late event only repeats work; does nothing when the
   * identity fingerprint is what was last filed.
   */
  async syncContact(contactId: string): Promise<SyncOutcome> {
    const record = await this.contacts.record(contactId);
    if (isErased(record)) return { contactId, action: 'removed', candidates: 0, written: await this.forget(contactId) };
    const contact = record;
    const state = await this.index.getState(contactId);
    if (!contact || contact.status !== 'active') {
      if (!state && !contact) return { contactId, action: 'unchanged', candidates: 0, written: 0 };
      const written = await this.withdraw(contactId, contact?.status === 'merged' ? 'merged' : 'withdrawn');
      if (state) await this.index.unfile(contactId, state.blockKeys);
      await this.index.deleteState(contactId);
      return { contactId, action: 'removed', candidates: 0, written };
    }
    const profile = await this.profileOfContact(contact);
    const fingerprint = identityFingerprint(profile);
    // Same identity as last filed (a redelivered event, or a change to a non-identity field).
    if (state && state.fingerprint === fingerprint) return { contactId, action: 'unchanged', candidates: 0, written: 0 };
    const blockKeys = blockingKeys(profile).slice(0, LIMITS.maxDedupKeysPerContact);
    await this.index.file(contactId, blockKeys);
    const stale = (state?.blockKeys ?? []).filter((key) => !blockKeys.includes(key));
    await this.index.unfile(contactId, stale);
    await this.index.putState({ contactId, contactVersion: contact.version, fingerprint, blockKeys });

    // Earlier partners are re-scored too, so a pair that no longer matches is withdrawn.
    const candidateIds = new Set([
      ...(await this.candidateIds(blockKeys, contactId)),
      ...(await this.pairs.partnersOf(contactId)),
    ]);
    const candidates = await this.activeContacts([...candidateIds]);
    let written = 0;
    for (const candidate of candidates) {
      const other = await this.profileOfContact(candidate);
      if (
        await this.record(
          pairOf(profile, other),
          { [contact.id]: contact.version, [candidate.id]: candidate.version },
          {
            [contact.id]: fingerprint,
            [candidate.id]: identityFingerprint(other),
          },
        )
      )
        written++;
    }
    return { contactId, action: 'indexed', candidates: candidates.length, written };
  }

  /**
   * Stored contacts that may be the person `record` describes, best first: what an import asks
   * for each row before it creates a contact. `record.id` may be anything (a row number).
   */
  async findMatches(record: IdentityRecord, options: { threshold?: number } = {}): Promise<DuplicateMatch[]> {
    const profile = this.profileOf(record);
    const ids = await this.candidateIds(blockingKeys(profile).slice(0, LIMITS.maxDedupKeysPerContact), record.id);
    const threshold = options.threshold ?? SUGGEST_THRESHOLD;
    const matches: DuplicateMatch[] = [];
    for (const candidate of await this.activeContacts([...ids])) {
      const scored = pairOf(profile, await this.profileOfContact(candidate));
      if (scored.score >= threshold) matches.push({ contactId: candidate.id, score: scored.score, reasons: scored.reasons });
    }
    return matches.sort((x, y) => y.score - x.score);
  }

  /** Ids of the contacts a contact has (or had) a suggestion with. */
  partnersOf(contactId: string): Promise<string[]> {
    return this.pairs.partnersOf(contactId);
  }

  /** The suggestion about two contacts, in either order. */
  pair(a: string, b: string): Promise<DuplicatePair | undefined> {
    return this.pairs.get(...orderedIds(a, b));
  }

  list(status: 'open' | 'dismissed', page: PageRequest): Promise<Page<DuplicatePair>> {
    return this.pairs.list(status, page);
  }

  async get(id: string): Promise<DuplicatePair> {
    const [a, b] = requirePairId(id);
    const pair = await this.pairs.get(a, b);
    if (!pair) throw new NotFoundError('duplicate', id);
    return pair;
  }

  /**
   * Marks a suggestion as not a duplicate. It stays dismissed until one of the two contacts'
   * identity fingerprints changes (see identityFingerprint), whatever else is edited.
   */
  async dismiss(id: string, actor: string): Promise<DuplicatePair> {
    for (let attempt = 1; ; attempt++) {
      const pair = await this.get(id);
      if (pair.status === 'dismissed') return pair;
      if (pair.status === 'merged') return pair;
      const fingerprints: Record<string, string> = {};
      for (const contact of await this.contacts.getMany(pair.contactIds)) {
        fingerprints[contact.id] = identityFingerprint(await this.profileOfContact(contact));
      }
      const now = this.clock.now().toISOString();
      const next: DuplicatePair = {
        ...pair,
        status: 'dismissed',
        version: pair.version + 1,
        updatedAt: now,
        dismissedAt: now,
        dismissedBy: actor,
        dismissedFingerprints: { ...pair.fingerprints, ...fingerprints },
      };
      try {
        await this.pairs.save(next, pair.version);
        return next;
      } catch (error) {
        if (!(error instanceof VersionMismatchError) || attempt >= LIMITS.maxOptimisticRetries) throw error;
      }
    }
  }

  /**
   * Erasure: deletes every suggestion a contact takes part in (their reasons name both people),
   * its blocking keys and its dedup state. Answers how many items it deleted.
   */
  async forget(contactId: string): Promise<number> {
    let erased = 0;
    for (const partnerId of await this.pairs.partnersOf(contactId)) {
      await this.pairs.delete(...orderedIds(contactId, partnerId));
      erased++;
    }
    const state = await this.index.getState(contactId);
    if (state) {
      await this.index.unfile(contactId, state.blockKeys);
      erased += state.blockKeys.length;
    }
    return erased + (await this.index.deletePartition(contactId));
  }

  /**
   * Closes every suggestion a contact takes part in (`merged` when it was merged away,
   * `withdrawn` when archived). Links stay, so a later erasure still finds every pair of the
   * person (only a pair that is gone loses its link). Used by the consumer and by merges.
   */
  async withdraw(contactId: string, status: 'merged' | 'withdrawn'): Promise<number> {
    let written = 0;
    for (const partnerId of await this.pairs.partnersOf(contactId)) {
      const [a, b] = orderedIds(contactId, partnerId);
      const pair = await this.pairs.get(a, b);
      if (!pair) await this.pairs.deleteLink(contactId, partnerId);
      else if (pair.status !== 'merged' && !(status === 'withdrawn' && pair.status !== 'open')) {
        const now = this.clock.now().toISOString();
        try {
          await this.pairs.save({ ...pair, status, version: pair.version + 1, updatedAt: now }, pair.version);
          written++;
        } catch (error) {
          // A concurrent writer moved the pair (the next event for this contact settles it), or the partner was erased.
          if (!(error instanceof VersionMismatchError) && !(error instanceof NotFoundError)) throw error;
        }
      }
    }
    return written;
  }

  /**
   * The periodic whole-table pass: finds every pair the per-change consumer missed (lost
   * events, contacts imported before dedup existed), withdraws stale open suggestions, and
   * repairs the blocking index. One Scan, then everything in memory.
   */
  async audit(): Promise<AuditReport> {
    const started = performance.now();
    const contacts: Contact[] = [];
    const companies = new Map<string, Company>();
    const existing = new Map<string, DuplicatePair>();
    const states = new Map<string, { fingerprint: string; contactVersion: number }>();
    const erased = new Set<string>();
    await scanEntities(
      this.store,
      [ITEM_TYPES.contact, ITEM_TYPES.company, ITEM_TYPES.duplicate, ITEM_TYPES.dedupState],
      (type, entity) => {
        if (type === ITEM_TYPES.contact && entity.status === 'active') contacts.push(entity as unknown as Contact);
        else if (type === ITEM_TYPES.contact && entity.status === 'erased') erased.add(entity.id as string);
        else if (type === ITEM_TYPES.company) companies.set(entity.id as string, entity as unknown as Company);
        else if (type === ITEM_TYPES.duplicate) existing.set(entity.id as string, entity as unknown as DuplicatePair);
        else if (type === ITEM_TYPES.dedupState) states.set(entity.contactId as string, entity as never);
      },
    );
    // Suggestions of erased people that their erasure could not reach (closed before links were kept).
    for (const pair of existing.values()) {
      if (pair.contactIds.some((id) => erased.has(id))) {
        await this.pairs.delete(...pair.contactIds);
        existing.delete(pair.id);
      }
    }
    const scanned = performance.now();

    const finder = new DuplicateFinder();
    const profiles = new Map<string, MatchProfile>();
    const byId = new Map(contacts.map((c) => [c.id, c]));
    for (const contact of contacts) {
      const company = contact.companyId ? companies.get(contact.companyId) : undefined;
      const profile = this.profileOf(identityOfContact(contact, company));
      profiles.set(contact.id, profile);
      finder.add(profile);
    }
    const candidatePairs = finder.candidatePairCount();
    const matching = finder.allPairs();
    // Open suggestions the pass did not confirm are re-scored, so they can be withdrawn.
    const confirmed = new Set(matching.map((p) => pairId(...p.ids)));
    const recheck: ScoredPair[] = [];
    for (const pair of existing.values()) {
      if (pair.status !== 'open' || confirmed.has(pair.id)) continue;
      const [a, b] = pair.contactIds.map((id) => profiles.get(id));
      if (a && b) recheck.push(pairOf(a, b));
    }
    const matched = performance.now();

    let written = 0;
    let reindexed = 0;
    const fingerprints = new Map<string, string>();
    const fingerprintOf = (id: string) => {
      if (!fingerprints.has(id)) fingerprints.set(id, identityFingerprint(profiles.get(id)!));
      return fingerprints.get(id)!;
    };
    const now = this.clock.now().toISOString();
    const writes = [...matching, ...recheck].map((scored) => async () => {
      const [a, b] = scored.ids;
      const seen = {
        ids: scored.ids,
        result: scored,
        contactVersions: { [a]: byId.get(a)!.version, [b]: byId.get(b)!.version },
        fingerprints: { [a]: fingerprintOf(a), [b]: fingerprintOf(b) },
      };
      const stored = existing.get(pairId(a, b));
      const next = nextSuggestion(stored, seen, now);
      if (!next) return;
      try {
        await this.pairs.save(next, stored?.version ?? 0);
        written++;
      } catch (error) {
        if (!(error instanceof VersionMismatchError) && !(error instanceof NotFoundError)) throw error;
      }
    });
    const repairs = contacts
      .filter((c) => states.get(c.id)?.fingerprint !== fingerprintOf(c.id))
      .map((contact) => async () => {
        const blockKeys = blockingKeys(profiles.get(contact.id)!).slice(0, LIMITS.maxDedupKeysPerContact);
        await this.index.file(contact.id, blockKeys);
        await this.index.putState({
          contactId: contact.id,
          contactVersion: contact.version,
          fingerprint: fingerprintOf(contact.id),
          blockKeys,
        });
        reindexed++;
      });
    await runConcurrently([...writes, ...repairs], 8);
    const finished = performance.now();
    return {
      contacts: contacts.length,
      candidatePairs,
      matchingPairs: matching.length,
      written,
      reindexed,
      scanMs: Math.round(scanned - started),
      matchMs: Math.round(matched - scanned),
      writeMs: Math.round(finished - matched),
    };
  }

  /** Writes what a fresh score means for the pair; true when something was written. */
  private async record(
    scored: ScoredPair,
    contactVersions: Record<string, number>,
    fingerprints: Record<string, string>,
  ): Promise<boolean> {
    for (let attempt = 1; attempt <= LIMITS.maxOptimisticRetries; attempt++) {
      const stored = await this.pairs.get(...scored.ids);
      const next = nextSuggestion(
        stored,
        { ids: scored.ids, result: scored, contactVersions, fingerprints },
        this.clock.now().toISOString(),
      );
      if (!next) return false;
      try {
        await this.pairs.save(next, stored?.version ?? 0);
        return true;
      } catch (error) {
        // Erased since it was read: the suggestion must not be written.
        if (error instanceof NotFoundError) return false;
        if (!(error instanceof VersionMismatchError)) throw error;
      }
    }
    return false;
  }

  private async candidateIds(blockKeys: readonly string[], self: string): Promise<Set<string>> {
    const ids = new Set<string>();
    const blocks = await Promise.all(blockKeys.map((key) => this.index.members(key)));
    for (const members of blocks) if (members !== 'oversized') for (const id of members) if (id !== self) ids.add(id);
    return ids;
  }

  private async activeContacts(ids: readonly string[]): Promise<Contact[]> {
    const found: Contact[] = [];
    for (let start = 0; start < ids.length; start += 100)
      found.push(...(await this.contacts.getMany(ids.slice(start, start + 100))));
    return found.filter((c) => c.status === 'active');
  }

  private async profileOfContact(contact: Contact): Promise<MatchProfile> {
    const company = contact.companyId ? await this.companies.get(contact.companyId) : undefined;
    return this.profileOf(identityOfContact(contact, company));
  }
}

async function runConcurrently(tasks: readonly (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

export const duplicateService = (
  parts: Needs<'store' | 'contactRepository' | 'companyRepository' | 'settings' | 'phoneReader' | 'clock'>,
) =>
  new DuplicateService({
    store: parts.store,
    pairs: new DuplicateRepository(parts.store),
    index: new DedupIndexRepository(parts.store),
    contacts: parts.contactRepository,
    companies: parts.companyRepository,
    settings: parts.settings,
    readPhone: parts.phoneReader,
    clock: parts.clock,
  });
