/**
 * GDPR erasure (art. 17) as data: the record an erasure keeps while it runs and afterwards,
 * and how Kith recognises the person in free-form places (job reports, files, dead letters)
 * without keeping any of their values: by their contact ids, and by salted hashes of the
 * identity values (emails, phones, external ids) that the suppression list keys on too.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { ContactFields } from './contact.ts';
import { identityKeysOf } from './import-row.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';

export type ErasureStatus = 'running' | 'done';

/** An erasure: its checkpoint while it runs, the proof that it ran once it is done. */
export interface ErasureRecord {
  /** The person's contact id: the survivor of any merges. The record's key. */
  id: string;
  /** Every contact id the person had: the survivor first, then the contacts merged into it. */
  contactIds: string[];
  /** HMAC-SHA256 under the deployment's salt of each identity value (the suppression keys). */
  identityHashes: string[];
  /** The oldest `createdAt` among the contacts: a file written before it cannot hold them. */
  since: string;
  status: ErasureStatus;
  /** Stores whose part is finished, in order; a retry skips them. */
  completed: string[];
  /** What each store erased (items deleted or redacted), for the operator and the tests. */
  erased: Record<string, number>;
  requestedBy: string;
  /** Why, as the requester gave it (kept: it must not name the person). */
  reason?: string;
  startedAt: string;
  finishedAt?: string;
}

/** Identity values of the person's records, as the suppression list and the matcher hash them. */
export function identitiesOf(records: readonly Pick<ContactFields, 'emails' | 'phones' | 'externalIds'>[]): string[] {
  return [...new Set(records.flatMap((record) => identityKeysOf(record)))];
}

const EMAIL_LIKE = /[^\s@,;:<>()[\]"'`]+@[^\s@,;:<>()[\]"'`]+\.[^\s@,;:<>()[\]"'`]+/g;
const PHONE_LIKE = /\+?\d[\d\s().-]{5,}\d/g;

/**
 * The identity values a piece of free text may carry: every email-like and phone-like token,
 * normalized the way contacts store them. Used only to compare hashes, never stored.
 */
export function identityCandidatesIn(text: string, defaultRegion: CountryCode): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(EMAIL_LIKE)) {
    const email = normalizeEmail(match[0]);
    if (email) found.add(`email:${email}`);
  }
  for (const match of text.matchAll(PHONE_LIKE)) {
    const phone = normalizePhone(match[0], defaultRegion);
    if (phone) found.add(`phone:${phone}`);
  }
  return [...found];
}

/**
 * Recognises an erased person in text or records: by any of their contact ids, or by an
 * identity value whose salted hash is one of theirs. `hash` is the suppression list's HMAC.
 */
export class PersonMatcher {
  private readonly ids: readonly string[];
  private readonly hashes: ReadonlySet<string>;
  private readonly hash: (identities: readonly string[]) => Promise<string[]>;
  private readonly defaultRegion: CountryCode;

  constructor(deps: {
    erasure: Pick<ErasureRecord, 'contactIds' | 'identityHashes'>;
    hash: (identities: readonly string[]) => Promise<string[]>;
    defaultRegion: CountryCode;
  }) {
    this.ids = deps.erasure.contactIds;
    this.hashes = new Set(deps.erasure.identityHashes);
    this.hash = deps.hash;
    this.defaultRegion = deps.defaultRegion;
  }

  /** Whether the text names one of the person's ids (fast, no hashing). */
  namesId(text: string): boolean {
    return this.ids.some((id) => text.includes(id));
  }

  /** Whether free text names the person: an id, or an email or phone that hashes to theirs. */
  async mentionedIn(text: string): Promise<boolean> {
    if (this.namesId(text)) return true;
    return this.anyHashed(identityCandidatesIn(text, this.defaultRegion));
  }

  /** Whether contact fields (an import preview row) are the person's: a shared email, phone or external id. */
  async isPerson(fields: Partial<Pick<ContactFields, 'emails' | 'phones' | 'externalIds'>>): Promise<boolean> {
    return this.anyHashed(
      identityKeysOf({ emails: fields.emails ?? [], phones: fields.phones ?? [], externalIds: fields.externalIds }),
    );
  }

  private async anyHashed(identities: readonly string[]): Promise<boolean> {
    if (identities.length === 0 || this.hashes.size === 0) return false;
    return (await this.hash(identities)).some((hash) => this.hashes.has(hash));
  }
}
