import type { MatchProfile } from './profile.ts';
import type { MatchEmail } from './identity.ts';
import { editDistance, jaroWinkler, tokenOverlap } from './similarity.ts';
import { formalNameOf, sharedNicknameGroup } from './nicknames.ts';

/**
 * Pair scoring, Fellegi-Sunter style: each field comparison lands on a level, each level has
 * m = P(level | same person) and u = P(level | two different people drawn at random from a
 * CRM), and the evidence ln(m/u) of every field is added to the prior log-odds that two
 * random records are one person. The sum, mapped through the logistic function, is the score.
 *
 * The m and u values are estimates from published record-linkage work on person data (Winkler;
 * the Splink defaults), set by reasoning about how people type contacts, NOT fitted to a
 * benchmark; bench/dedup.ts measures them on a synthetic and on a reference data set.
 *
 * Fellegi-Sunter assumes fields are independent given the match status. Households and
 * colleagues break that: they share a phone, an address, a surname, an employer. So the
 * "shared place" evidence (phone, address, company, surname) is capped when the given names
 * plainly disagree and nothing personal (date of birth, mailbox) agrees.
 */

/** Pairs at or above this score are suggested to a data steward. */
export const SUGGEST_THRESHOLD = 0.8;
/** Pairs at or above this score may be merged without a human, only by imports that opt in. */
export const AUTO_MERGE_THRESHOLD = 0.9995;

/** Two records drawn at random from a CRM of 10k–100k contacts with a few % duplicates. */
const PRIOR_MATCH_PROBABILITY = 1e-5;

/** Largest total that evidence a household or a workplace shares may contribute. */
const SHARED_PLACE_CAP = 7;

type Level = { m: number; u: number };
const level = (m: number, u: number): Level => ({ m, u });

/** m and u of every comparison level; ln(m/u) is its weight. */
export const LEVELS = {
  first: {
    exact: level(0.84, 0.01),
    nickname: level(0.05, 0.001),
    initial: level(0.03, 0.004),
    similar: level(0.05, 0.003),
    related: level(0.02, 0.03),
    different: level(0.01, 0.952),
  },
  last: {
    exact: level(0.87, 0.0015),
    similar: level(0.07, 0.002),
    initial: level(0.01, 0.004),
    related: level(0.02, 0.02),
    different: level(0.04, 0.9765),
  },
  /** Given and family names found in each other's place. */
  swapped: level(0.02, 0.04),
  email: {
    exact: level(0.7, 5e-6),
    sameLocal: level(0.06, 2e-5),
    similar: level(0.05, 1e-4),
    sharedRole: level(0.01, 5e-4),
    different: level(0.18, 0.9999),
  },
  phone: {
    exact: level(0.75, 1e-5),
    oneDigit: level(0.04, 5e-4),
    different: level(0.21, 0.9995),
  },
  birthDate: {
    exact: level(0.9, 3e-5),
    typo: level(0.05, 5e-4),
    sameYear: level(0.02, 0.011),
    different: level(0.03, 0.9885),
  },
  company: {
    exact: level(0.55, 0.005),
    similar: level(0.05, 0.002),
    different: level(0.4, 0.993),
  },
  place: {
    street: level(0.6, 1e-4),
    postalCode: level(0.15, 0.002),
    city: level(0.7, 0.05),
    different: level(0.15, 0.95),
  },
  generation: {
    different: level(0.002, 0.01),
    oneSided: level(0.01, 0.1),
  },
} as const;

const weightOf = (l: Level) => Math.log(l.m / l.u);

export type EvidenceField = 'first' | 'last' | 'name' | 'email' | 'phone' | 'birthDate' | 'company' | 'place' | 'generation';

/** One comparison's contribution, with the sentence a data steward reads. */
export interface Evidence {
  field: EvidenceField;
  level: string;
  /** ln(m/u): positive for agreement, negative for disagreement. */
  weight: number;
  reason: string;
}

export interface PairScore {
  /** Probability-like, 0–1, four decimals. */
  score: number;
  /** Total log-odds, for ranking and debugging. */
  matchWeight: number;
  evidence: Evidence[];
  /** The evidence as sentences, strongest first. */
  reasons: string[];
}

const PRIOR_LOG_ODDS = Math.log(PRIOR_MATCH_PROBABILITY / (1 - PRIOR_MATCH_PROBABILITY));

/** Scores two profiles: the probability they are one person, and why. */
export function scorePair(a: MatchProfile, b: MatchProfile): PairScore {
  const evidence: Evidence[] = [];
  const push = (item: Evidence | undefined) => {
    if (item) evidence.push(item);
  };
  const names = compareNames(a, b);
  names.forEach(push);
  push(compareGeneration(a, b));
  push(compareEmails(a, b));
  push(comparePhones(a.phones, b.phones));
  push(compareBirthDates(a.birthDate, b.birthDate));
  push(compareCompanies(a, b));
  push(comparePlaces(a, b));

  let total = PRIOR_LOG_ODDS;
  // Without a person's name, the organisation's name is the identity (a shared switchboard is not).
  const organisations = !a.first && !a.last && !b.first && !b.last;
  const personalDisagrees = evidence.some(
    (e) =>
      ((e.field === 'first' || e.field === 'birthDate' || (organisations && e.field === 'company')) && e.level === 'different') ||
      e.field === 'generation',
  );
  const personalAgrees = evidence.some(
    (e) => (e.field === 'birthDate' && e.weight > 0) || (e.field === 'email' && e.level === 'exact'),
  );
  const capShared = personalDisagrees && !personalAgrees;
  let shared = 0;
  for (const item of evidence) {
    if (capShared && isSharedPlace(item, organisations)) shared += item.weight;
    else total += item.weight;
  }
  if (capShared) {
    total += Math.min(shared, SHARED_PLACE_CAP);
    if (shared > SHARED_PLACE_CAP) {
      evidence.push({
        field: 'name',
        level: 'sharedPlace',
        weight: SHARED_PLACE_CAP - shared,
        reason: 'shared phone, address, surname or employer, but a different person: household or colleagues?',
      });
    }
  }
  const score = Math.round(logistic(total) * 10_000) / 10_000;
  const ranked = [...evidence].sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight));
  return { score, matchWeight: Math.round(total * 100) / 100, evidence: ranked, reasons: ranked.map((e) => e.reason) };
}

function isSharedPlace(item: Evidence, organisations: boolean): boolean {
  if (item.weight <= 0) return false;
  return (
    item.field === 'phone' ||
    item.field === 'place' ||
    item.field === 'last' ||
    item.field === 'name' ||
    (item.field === 'company' && !organisations)
  );
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function evidenceOf(field: EvidenceField, name: string, l: Level, reason: string): Evidence {
  return { field, level: name, weight: Math.round(weightOf(l) * 100) / 100, reason };
}

const pct = (x: number) => x.toFixed(2);

type NamePart = { value: string; codes: readonly string[]; groups?: readonly number[] };

function compareFirst(a: NamePart, b: NamePart): Evidence {
  const L = LEVELS.first;
  if (a.value === b.value) return evidenceOf('first', 'exact', L.exact, 'same first name');
  const group = sharedNicknameGroup(a.value, b.value);
  if (group !== undefined) {
    const [short, long] = a.value.length <= b.value.length ? [a.value, b.value] : [b.value, a.value];
    const formal = formalNameOf(group);
    const text =
      formal === long
        ? `nickname ${title(short)} = ${title(long)}`
        : `${title(short)} and ${title(long)} are forms of ${title(formal)}`;
    return evidenceOf('first', 'nickname', L.nickname, text);
  }
  if ((a.value.length === 1 || b.value.length === 1) && a.value[0] === b.value[0]) {
    return evidenceOf('first', 'initial', L.initial, 'first name matches an initial');
  }
  const similarity = jaroWinkler(a.value, b.value);
  if (similarity >= 0.92 || sharesCode(a.codes, b.codes)) {
    return evidenceOf('first', 'similar', L.similar, `first name ${pct(similarity)} similar`);
  }
  if (similarity >= 0.8) return evidenceOf('first', 'related', L.related, `first name ${pct(similarity)} similar`);
  return evidenceOf('first', 'different', L.different, 'different first names');
}

function compareLast(a: NamePart, b: NamePart): Evidence {
  const L = LEVELS.last;
  if (a.value === b.value) return evidenceOf('last', 'exact', L.exact, 'same last name');
  if ((a.value.length === 1 || b.value.length === 1) && a.value[0] === b.value[0]) {
    return evidenceOf('last', 'initial', L.initial, 'last name matches an initial');
  }
  const similarity = jaroWinkler(a.value, b.value);
  if (similarity >= 0.92 || (sharesCode(a.codes, b.codes) && similarity >= 0.8)) {
    return evidenceOf('last', 'similar', L.similar, `last name ${pct(similarity)} similar`);
  }
  if (similarity >= 0.8) return evidenceOf('last', 'related', L.related, `last name ${pct(similarity)} similar`);
  return evidenceOf('last', 'different', L.different, 'different last names');
}

function sharesCode(a: readonly string[], b: readonly string[]): boolean {
  return a.some((code) => code.length >= 2 && b.includes(code));
}

/**
 * Given and family names, in whichever alignment explains the pair better: as written, or
 * swapped (a first name typed into the last name field and the other way round).
 */
function compareNames(a: MatchProfile, b: MatchProfile): Evidence[] {
  const firstA = givenPart(a);
  const firstB = givenPart(b);
  const lastA = a.last ? { value: a.last, codes: a.lastCodes } : undefined;
  const lastB = b.last ? { value: b.last, codes: b.lastCodes } : undefined;
  const straight = [firstA && firstB && compareFirst(firstA, firstB), lastA && lastB && compareLast(lastA, lastB)].filter(
    (e): e is Evidence => Boolean(e),
  );
  // A nickname field also counts as a given name: "Robert (Bob)" matches "Bob".
  const nicknamed = [
    a.nickname && firstB && compareFirst({ value: a.nickname, codes: [] }, firstB),
    b.nickname && firstA && compareFirst(firstA, { value: b.nickname, codes: [] }),
  ].filter((e): e is Evidence => Boolean(e) && (e as Evidence).level !== 'different');
  const bestFirst = [...straight.filter((e) => e.field === 'first'), ...nicknamed].sort((x, y) => y.weight - x.weight)[0];
  const straightEvidence = [...(bestFirst ? [bestFirst] : []), ...straight.filter((e) => e.field === 'last')];
  const straightTotal = sum(straightEvidence);

  // Read either record's given name as the other's family name; the better reading counts, so order never matters.
  const swappedEvidence = [swappedAlignment(a, b), swappedAlignment(b, a)]
    .filter((e): e is Evidence[] => e !== undefined)
    .sort((x, y) => sum(y) - sum(x))[0];
  return swappedEvidence && sum(swappedEvidence) > straightTotal ? swappedEvidence : straightEvidence;
}

function swappedAlignment(a: MatchProfile, b: MatchProfile): Evidence[] | undefined {
  const swappedFirst =
    a.first && b.last ? compareFirst({ value: a.first, codes: a.firstCodes }, { value: b.last, codes: b.lastCodes }) : undefined;
  const swappedLast =
    a.last && b.first ? compareLast({ value: a.last, codes: a.lastCodes }, { value: b.first, codes: b.firstCodes }) : undefined;
  const swapped = [swappedFirst, swappedLast].filter((e): e is Evidence => Boolean(e));
  // Swapped counts only when every name compared in the swapped alignment agrees.
  if (swapped.length === 0 || swapped.some((e) => e.weight <= 0)) return undefined;
  return [...swapped, evidenceOf('name', 'swapped', LEVELS.swapped, 'first and last names swapped')];
}

function givenPart(profile: MatchProfile): NamePart | undefined {
  return profile.first ? { value: profile.first, codes: profile.firstCodes, groups: profile.firstGroups } : undefined;
}

function compareGeneration(a: MatchProfile, b: MatchProfile): Evidence | undefined {
  if (a.generation === b.generation) return undefined;
  const junior = a.generation ?? b.generation;
  if (!a.generation || !b.generation) {
    return evidenceOf('generation', 'oneSided', LEVELS.generation.oneSided, `${junior} on one record only`);
  }
  return evidenceOf(
    'generation',
    'different',
    LEVELS.generation.different,
    `${a.generation} and ${b.generation}: different generations`,
  );
}

function compareEmails(profileA: MatchProfile, profileB: MatchProfile): Evidence | undefined {
  const L = LEVELS.email;
  const a = profileA.emails;
  const b = profileB.emails;
  if (a.length === 0 || b.length === 0) return undefined;
  const personalA = a.filter((e) => !e.role);
  const personalB = b.filter((e) => !e.role);
  const addressesB = new Set(b.map((e) => e.address));
  if (personalA.some((e) => addressesB.has(e.address))) return evidenceOf('email', 'exact', L.exact, 'same email address');
  if (a.some((e) => addressesB.has(e.address))) return evidenceOf('email', 'sharedRole', L.sharedRole, 'same shared mailbox');
  if (personalA.length === 0 || personalB.length === 0) return undefined;
  for (const x of personalA) {
    for (const y of personalB) {
      const localX = x.local.replace(/[._-]/g, '');
      const localY = y.local.replace(/[._-]/g, '');
      // john.smith@ at two domains says no more than the name John Smith already does.
      if (localX === localY && localX.length >= 6 && !spellsName(localX, profileA) && !spellsName(localX, profileB)) {
        return evidenceOf('email', 'sameLocal', L.sameLocal, 'same email name at another domain');
      }
    }
  }
  for (const x of personalA) {
    for (const y of personalB) {
      const distance = editDistance(x.address, y.address);
      // john.smith14@ and john.smith@ are two mailboxes, not a typo.
      const digitsOnly = x.address.replace(/\d/g, '') === y.address.replace(/\d/g, '');
      const long = Math.min(x.address.length, y.address.length) >= 10;
      if (
        long &&
        !digitsOnly &&
        (distance <= 2 || (jaroWinkler(x.local, y.local) >= 0.93 && jaroWinkler(x.domain, y.domain) >= 0.85))
      ) {
        return evidenceOf('email', 'similar', L.similar, `email differs by ${distance} character${distance > 1 ? 's' : ''}`);
      }
    }
  }
  return evidenceOf('email', 'different', L.different, 'different email addresses');
}

/** Whether an email local part is just the person's name (jsmith, john.smith, smithjohn). */
function spellsName(local: string, profile: MatchProfile): boolean {
  const { first, last } = profile;
  if (!last) return false;
  const letters = local.replace(/\d+$/, '');
  if (!first) return letters === last;
  return [first + last, last + first, first[0] + last, last + first[0], first].includes(letters);
}

function comparePhones(a: readonly string[], b: readonly string[]): Evidence | undefined {
  const L = LEVELS.phone;
  if (a.length === 0 || b.length === 0) return undefined;
  if (a.some((p) => b.includes(p))) return evidenceOf('phone', 'exact', L.exact, 'same phone');
  for (const x of a) {
    for (const y of b) {
      if (x.length === y.length && x.length >= 9 && editDistance(x, y) === 1) {
        return evidenceOf('phone', 'oneDigit', L.oneDigit, 'phone differs by one digit');
      }
    }
  }
  return evidenceOf('phone', 'different', L.different, 'different phones');
}

function compareBirthDates(a: string | undefined, b: string | undefined): Evidence | undefined {
  const L = LEVELS.birthDate;
  if (!a || !b) return undefined;
  if (a === b) return evidenceOf('birthDate', 'exact', L.exact, 'same date of birth');
  const [ya, ma, da] = a.split('-');
  const [yb, mb, db] = b.split('-');
  const transposed = ya === yb && ma === db && da === mb;
  if (transposed || editDistance(a, b) === 1) return evidenceOf('birthDate', 'typo', L.typo, 'date of birth differs by a typo');
  if (ya === yb) return evidenceOf('birthDate', 'sameYear', L.sameYear, 'same year of birth');
  return evidenceOf('birthDate', 'different', L.different, 'different dates of birth');
}

function compareCompanies(a: MatchProfile, b: MatchProfile): Evidence | undefined {
  const L = LEVELS.company;
  if (a.companies.length + a.domains.length === 0 || b.companies.length + b.domains.length === 0) return undefined;
  if (a.domains.some((d) => b.domains.includes(d))) return evidenceOf('company', 'exact', L.exact, 'same company domain');
  if (a.companies.some((c) => b.companies.includes(c))) return evidenceOf('company', 'exact', L.exact, 'same company');
  let best = 0;
  for (const x of a.companies) {
    for (const y of b.companies) {
      // "Art's Delicatessen" and "Art's Deli", "St Lucy School" and "St. Lucy's School at Chicago Commons".
      const overlap = tokenOverlap(x.split(' '), y.split(' '));
      best = Math.max(best, jaroWinkler(x, y), overlap >= 0.6 ? 0.9 + overlap / 10 : 0);
    }
  }
  if (best >= 0.9) return evidenceOf('company', 'similar', L.similar, `company name ${pct(Math.min(best, 0.99))} similar`);
  if (a.companies.length === 0 || b.companies.length === 0) return undefined;
  return evidenceOf('company', 'different', L.different, 'different companies');
}

function comparePlaces(a: MatchProfile, b: MatchProfile): Evidence | undefined {
  const L = LEVELS.place;
  const citySimilarity = a.city && b.city ? (a.city === b.city ? 1 : jaroWinkler(a.city, b.city)) : undefined;
  // Between 0.8 and 0.9 a city is as likely misspelt as another one: no evidence either way.
  const sameCity =
    citySimilarity === undefined ? undefined : citySimilarity >= 0.9 ? true : citySimilarity < 0.8 ? false : undefined;
  const samePostal = a.postalCode && b.postalCode ? a.postalCode === b.postalCode : undefined;
  if (a.street && b.street && sameCity !== false && samePostal !== false) {
    const similarity = a.street === b.street ? 1 : jaroWinkler(a.street, b.street);
    const sameNumber = houseNumber(a.street) === houseNumber(b.street);
    if (similarity >= 0.9 && sameNumber) {
      return evidenceOf(
        'place',
        'street',
        L.street,
        similarity === 1 ? 'same street address' : `street address ${pct(similarity)} similar`,
      );
    }
  }
  if (samePostal) return evidenceOf('place', 'postalCode', L.postalCode, 'same postal code');
  if (sameCity) return evidenceOf('place', 'city', L.city, 'same city');
  if (sameCity === false || samePostal === false) return evidenceOf('place', 'different', L.different, 'different places');
  return undefined;
}

function houseNumber(street: string): string | undefined {
  return /\b\d+[a-z]?\b/.exec(street)?.[0];
}

function sum(evidence: readonly Evidence[]): number {
  return evidence.reduce((total, e) => total + e.weight, 0);
}

function title(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
