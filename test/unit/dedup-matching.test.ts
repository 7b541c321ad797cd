import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { companyKey, matchEmail, personName, streetKey } from '../../shared/domain/dedup/identity.ts';
import { identityFingerprint, matchProfile, type IdentityRecord } from '../../shared/domain/dedup/profile.ts';
import { blockingKeys } from '../../shared/domain/dedup/blocking.ts';
import { AUTO_MERGE_THRESHOLD, SUGGEST_THRESHOLD, scorePair } from '../../shared/domain/dedup/scoring.ts';
import { DuplicateFinder, clustersOf } from '../../shared/domain/dedup/engine.ts';
import { sharedNicknameGroup } from '../../shared/domain/dedup/nicknames.ts';
import { jaroWinkler } from '../../shared/domain/dedup/similarity.ts';

const profile = (record: Omit<IdentityRecord, 'id'> & { id?: string }) =>
  matchProfile({ id: record.id ?? 'A', ...record }, { defaultRegion: 'US' });

describe('normalization for matching', () => {
  it('reads gmail addresses the way gmail delivers them', () => {
    expect(matchEmail('John.Smith+crm@GoogleMail.com')?.address).toBe('johnsmith@gmail.com');
    expect(matchEmail('john.smith@gmail.com')?.address).toBe('johnsmith@gmail.com');
  });

  it('keeps dots and plus signs where the provider does not document ignoring them', () => {
    expect(matchEmail('john.smith+x@acme.com')?.address).toBe('john.smith+x@acme.com');
    expect(matchEmail('info@acme.com')?.role).toBe(true);
  });

  it('folds case, accents, scripts, titles and generational suffixes out of names', () => {
    expect(personName({ firstName: 'Dr. José', lastName: 'García Márquez', suffix: 'Jr.' })).toEqual({
      first: 'jose',
      last: 'garciamarquez',
      generation: 'jr',
    });
    expect(personName({ firstName: 'Smith, John' })).toEqual({ first: 'john', last: 'smith' });
    expect(personName({ firstName: 'Ada Lovelace' })).toEqual({ first: 'ada', last: 'lovelace' });
    expect(personName({ firstName: 'Дмитрий' }).first).toBe('dmitriy');
  });

  it('drops legal forms from company names and standardizes street words', () => {
    expect(companyKey('ACME, Inc.')).toBe('acme');
    expect(companyKey('Müller GmbH & Co. KG')).toBe('muller');
    expect(streetKey('12224 Ventura Blvd.')).toBe(streetKey('12224 VENTURA BOULEVARD'));
  });

  it('takes a company from a work email domain, never from a free-mail one', () => {
    expect(profile({ emails: [{ address: 'ada@mail.acme.co.uk' }] }).companies).toEqual(['acme']);
    expect(profile({ emails: [{ address: 'ada@gmail.com' }] }).companies).toEqual([]);
  });

  it('reads a date of birth from a dob-like custom field', () => {
    expect(profile({ firstName: 'Ada', customFields: { dateOfBirth: '1815-12-10' } }).birthDate).toBe('1815-12-10');
  });

  it('knows Bob is Robert, Liz is Elizabeth and Bill is William, but not Bob and William', () => {
    expect(sharedNicknameGroup('bob', 'robert')).toBeDefined();
    expect(sharedNicknameGroup('liz', 'elizabeth')).toBeDefined();
    expect(sharedNicknameGroup('bill', 'william')).toBeDefined();
    expect(sharedNicknameGroup('bob', 'william')).toBeUndefined();
  });

  it('computes Jaro-Winkler as published (MARTHA/MARHTA 0.961)', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
  });
});

describe('scoring', () => {
  const robert = profile({ id: 'A', firstName: 'Robert', lastName: 'Smith', phones: [{ number: '+1 (415) 555-0100' }] });
  const bob = profile({ id: 'B', firstName: 'Bob', lastName: 'Smith', phones: [{ number: '415.555.0100' }] });

  it('suggests Robert Smith and Bob Smith with the same phone, and says why', () => {
    const result = scorePair(robert, bob);
    expect(result.score).toBeGreaterThanOrEqual(SUGGEST_THRESHOLD);
    expect(result.reasons).toEqual(expect.arrayContaining(['same phone', 'nickname Bob = Robert', 'same last name']));
  });

  it('does not suggest two members of a household who share a phone and an address', () => {
    const home = { phones: [{ number: '+14155550100' }], address: { street: '1 Main St', city: 'Austin', postalCode: '78701' } };
    const john = profile({ id: 'A', firstName: 'John', lastName: 'Smith', birthday: '1970-01-02', ...home });
    const mary = profile({ id: 'B', firstName: 'Mary', lastName: 'Smith', birthday: '1972-05-06', ...home });
    expect(scorePair(john, mary).score).toBeLessThan(SUGGEST_THRESHOLD);
  });

  it('does not suggest a father and his son of the same name', () => {
    const home = { phones: [{ number: '+14155550100' }], address: { street: '1 Main St', city: 'Austin' } };
    const father = profile({ id: 'A', firstName: 'Gary', lastName: 'Arnold', ...home });
    const son = profile({ id: 'B', firstName: 'Gary', lastName: 'Arnold', suffix: 'Jr.', ...home });
    expect(scorePair(father, son).score).toBeLessThan(SUGGEST_THRESHOLD);
  });

  it('does not suggest namesakes who share nothing but a common name', () => {
    const a = profile({ id: 'A', firstName: 'John', lastName: 'Smith', emails: [{ address: 'john@acme.com' }] });
    const b = profile({ id: 'B', firstName: 'John', lastName: 'Smith', emails: [{ address: 'jsmith@globex.com' }] });
    expect(scorePair(a, b).score).toBeLessThan(SUGGEST_THRESHOLD);
  });

  it('recognizes swapped first and last names', () => {
    const a = profile({ id: 'A', firstName: 'Noah', lastName: 'Watson', birthday: '2008-03-23' });
    const b = profile({ id: 'B', firstName: 'Watson', lastName: 'Noah', birthday: '2008-03-23' });
    const result = scorePair(a, b);
    expect(result.score).toBeGreaterThanOrEqual(SUGGEST_THRESHOLD);
    expect(result.reasons).toContain('first and last names swapped');
  });

  it('reaches the auto-merge threshold only on strong, independent evidence', () => {
    const a = profile({
      id: 'A',
      firstName: 'Ada',
      lastName: 'Lovelace',
      emails: [{ address: 'ada@example.com' }],
      birthday: '1815-12-10',
    });
    const b = profile({
      id: 'B',
      firstName: 'Ada',
      lastName: 'Lovelace',
      emails: [{ address: 'ADA@example.com' }],
      birthday: '1815-12-10',
    });
    expect(scorePair(a, b).score).toBeGreaterThanOrEqual(AUTO_MERGE_THRESHOLD);
    expect(scorePair(robert, profile({ id: 'C', firstName: 'Rob', lastName: 'Smyth' })).score).toBeLessThan(AUTO_MERGE_THRESHOLD);
  });

  it('scores a pair the same whichever record comes first', () => {
    const name = fc.constantFrom('Robert', 'Bob', 'Rob', 'Roberta', 'Elizabeth', 'Liz', 'Smith', 'Smyth', '');
    const record = fc.record({
      firstName: name,
      lastName: name,
      phone: fc.constantFrom('', '+14155550100', '+14155550101'),
      birthday: fc.constantFrom('', '1980-01-02', '1980-02-01'),
    });
    fc.assert(
      fc.property(record, record, (x, y) => {
        const toProfile = (r: typeof x, id: string) =>
          profile({
            id,
            firstName: r.firstName || undefined,
            lastName: r.lastName || undefined,
            phones: r.phone ? [{ number: r.phone }] : [],
            birthday: r.birthday || undefined,
          });
        expect(scorePair(toProfile(x, 'A'), toProfile(y, 'B')).score).toBe(scorePair(toProfile(y, 'B'), toProfile(x, 'A')).score);
      }),
    );
  });
});

describe('blocking and the in-memory engine', () => {
  it('files Bob Smith and Robert Smith under a shared key, whatever order their names are in', () => {
    const keysOf = (first: string, last: string) => new Set(blockingKeys(profile({ firstName: first, lastName: last })));
    const robert = keysOf('Robert', 'Smith');
    expect([...keysOf('Bob', 'Smith')].some((k) => robert.has(k))).toBe(true);
    expect([...keysOf('Smith', 'Robert')].some((k) => robert.has(k))).toBe(true);
  });

  it('keeps no email or phone in a blocking key', () => {
    const keys = blockingKeys(profile({ emails: [{ address: 'ada@example.com' }], phones: [{ number: '+14155550100' }] }));
    expect(keys.join(' ')).not.toMatch(/ada|example|4155550100/);
  });

  it('finds a file’s duplicates among themselves and groups them', () => {
    const finder = new DuplicateFinder().addAll([
      profile({ id: '1', firstName: 'Robert', lastName: 'Smith', phones: [{ number: '+14155550100' }] }),
      profile({ id: '2', firstName: 'Bob', lastName: 'Smith', phones: [{ number: '(415) 555-0100' }] }),
      profile({
        id: '3',
        firstName: 'Bobby',
        lastName: 'Smith',
        emails: [{ address: 'bob@acme.com' }],
        phones: [{ number: '415 555 0100' }],
      }),
      profile({ id: '4', firstName: 'Ada', lastName: 'Lovelace', phones: [{ number: '+442071234567' }] }),
    ]);
    const pairs = finder.allPairs();
    expect(clustersOf(pairs, SUGGEST_THRESHOLD)).toEqual([['1', '2', '3']]);
  });

  it('changes the identity fingerprint for a new email but not for a new letter case', () => {
    const base = { firstName: 'Ada', lastName: 'Lovelace', emails: [{ address: 'ada@example.com' }] };
    const fingerprint = identityFingerprint(profile(base));
    expect(identityFingerprint(profile({ ...base, firstName: 'ADA' }))).toBe(fingerprint);
    expect(identityFingerprint(profile({ ...base, emails: [{ address: 'ada@other.com' }] }))).not.toBe(fingerprint);
  });
});
