import { fnv1a, type MatchProfile } from './profile.ts';
import { formalNameOf } from './nicknames.ts';
import { phoneticCodes } from './identity.ts';

/**
 * Blocking: the keys under which a profile is filed so that it is compared only with the
 * handful of others sharing at least one key, never with the whole base. Each rule catches a
 * kind of duplicate the others miss:
 *
 * | key | catches |
 * |---|---|
 * | `email` canonical mailbox | same person, any name spelling |
 * | `local` email local part (≥ 5 chars) | john.smith@gmail vs john.smith@acme |
 * | `phone` E.164 | same person, any name; also households (scoring sorts those out) |
 * | `name` phonetic first (nickname-formal) + phonetic last, order-free | Bob/Robert Smith, swapped, typos that sound alike |
 * | `born` date of birth (~5 people share one among 100k) | typos anywhere in the name, surname changed |
 * | `work` phonetic last + company | same person at the same employer |
 * | `place` phonetic last + postal code | same person at the same address |
 * | `org` company name, for records without a person name | organisations |
 *
 * Keys are hashed: they are short and keep no email or phone in a table key. A block shared by
 * more than LIMITS.maxDedupBlockSize profiles (a very common name) is skipped by the matcher.
 */
export type BlockingRule = 'email' | 'local' | 'phone' | 'name' | 'born' | 'work' | 'place' | 'org';

const MIN_LOCAL_PART_LENGTH = 5;

/** The blocking keys of a profile: `<rule>:<hash>`. */
export function blockingKeys(profile: MatchProfile): string[] {
  const keys = new Set<string>();
  const add = (rule: BlockingRule, value: string) => keys.add(`${rule}:${fnv1a(value)}`);
  for (const email of profile.emails) {
    if (email.role) continue;
    add('email', email.address);
    const local = email.local.replace(/[._-]/g, '');
    if (local.length >= MIN_LOCAL_PART_LENGTH && /[a-z]/.test(local)) add('local', local);
  }
  for (const phone of profile.phones) add('phone', phone);
  const firsts = firstNameCodes(profile);
  const last = profile.lastCodes[0];
  if (last) {
    for (const first of firsts) add('name', [first, last].sort().join('|'));
    for (const company of profile.companies) add('work', `${last}|${company}`);
    if (profile.postalCode) add('place', `${last}|${profile.postalCode}`);
  } else if (firsts.length === 0) {
    for (const company of profile.companies) add('org', company);
  }
  if (profile.birthDate) add('born', profile.birthDate);
  return [...keys];
}

/**
 * The phonetic codes a given name blocks under: the formal name of each nickname group
 * (Bob and Robert both block as Robert), else the name's own code. Initials do not block.
 */
function firstNameCodes(profile: MatchProfile): string[] {
  if (!profile.first || profile.first.length < 2) return [];
  const names = profile.firstGroups.length > 0 ? profile.firstGroups.slice(0, 3).map(formalNameOf) : [profile.first];
  return [...new Set(names.flatMap((name) => phoneticCodes(name).slice(0, 1)))];
}
