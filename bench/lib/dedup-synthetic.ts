/**
 * Labelled synthetic contacts for measuring the dedup engine: people, their duplicates with
 * the corruption real CRMs show (typos, nicknames, swapped names, missing fields, phone and
 * email format variants, transliterated names, initials) and hard negatives that must NOT be
 * merged (household members, colleagues, namesakes, father and son). Deterministic per seed.
 */
import type { IdentityRecord } from '../../shared/domain/dedup/profile.ts';

export interface LabelledRecord {
  record: IdentityRecord;
  /** Records of one person share it. */
  entity: number;
}

export interface SyntheticOptions {
  people: number;
  seed?: number;
  /** Share of people who get duplicates (1–3 extra records). */
  duplicateRate?: number;
  /** Share of people who get a hard negative (a different person who looks alike). */
  hardNegativeRate?: number;
}

const FIRST = `James Robert John Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Mark
Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas
Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry
Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin
Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan Alan Juan Albert Willie
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra Ashley Kimberly
Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela
Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria
Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl
Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise
Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori`.split(/\s+/);

const LAST = `Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson
Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen
King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez
Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz
Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray
Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell
Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton
Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford
Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker
Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes
Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols
Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart`.split(
  /\s+/,
);

/** People whose names are written in several scripts or spellings. */
const TRANSLITERATED: [string, string][][] = [
  [
    ['Dmitri', 'Ivanov'],
    ['Дмитрий', 'Иванов'],
    ['Dmitry', 'Ivanov'],
  ],
  [
    ['Sergei', 'Petrov'],
    ['Сергей', 'Петров'],
    ['Sergey', 'Petrov'],
  ],
  [
    ['Jürgen', 'Müller'],
    ['Juergen', 'Mueller'],
    ['Jurgen', 'Muller'],
  ],
  [
    ['José', 'García'],
    ['Jose', 'Garcia'],
  ],
  [
    ['François', 'Lefèvre'],
    ['Francois', 'Lefevre'],
  ],
  [
    ['Zoë', 'Brontë'],
    ['Zoe', 'Bronte'],
  ],
  [
    ['Mohammed', 'Al-Sayed'],
    ['Muhammad', 'Al Sayed'],
    ['Mohamed', 'Alsayed'],
  ],
  [
    ['Søren', 'Kierkegård'],
    ['Soren', 'Kierkegard'],
  ],
  [
    ['Yuri', 'Gagarin'],
    ['Юрий', 'Гагарин'],
    ['Yury', 'Gagarin'],
  ],
  [
    ['Łukasz', 'Wiśniewski'],
    ['Lukasz', 'Wisniewski'],
  ],
];

const COMPANIES = `Acme Globex Initech Umbrella Hooli Stark Wayne Wonka Cyberdyne Soylent Tyrell Vandelay Oscorp Pied Piper Dunder
Mifflin Prestige Massive Dynamic Aperture Black Mesa Monarch Contoso Fabrikam Northwind Tailspin Litware Proseware Adventure
Woodgrove Lucerne Fourth Coffee Margie Alpine Blue Yonder Wingtip Trey Research Coho Vineyard Graphic Design School`.split(/\s+/);
const LEGAL = ['Inc', 'Inc.', 'LLC', 'Ltd', 'GmbH', 'SARL', 'Corp.', '', '', ''];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com'];
const STREETS = [
  'Main',
  'Oak',
  'Pine',
  'Maple',
  'Cedar',
  'Elm',
  'Washington',
  'Lake',
  'Hill',
  'Park',
  'Sunset',
  'Market',
  'Mission',
];
const STREET_TYPES: [string, string][] = [
  ['Street', 'St'],
  ['Avenue', 'Ave'],
  ['Boulevard', 'Blvd'],
  ['Road', 'Rd'],
  ['Drive', 'Dr'],
];
const CITIES: [string, string, string][] = [
  ['San Francisco', '415', '941'],
  ['New York', '212', '100'],
  ['Chicago', '312', '606'],
  ['Austin', '512', '787'],
  ['Seattle', '206', '981'],
  ['Boston', '617', '021'],
  ['Denver', '303', '802'],
  ['Atlanta', '404', '303'],
];
const NICKNAMES: Record<string, string[]> = {
  Robert: ['Bob', 'Rob', 'Bobby'],
  William: ['Bill', 'Will', 'Billy'],
  Elizabeth: ['Liz', 'Beth', 'Betty'],
  Richard: ['Rick', 'Dick', 'Rich'],
  James: ['Jim', 'Jimmy'],
  Michael: ['Mike'],
  Christopher: ['Chris'],
  Joseph: ['Joe'],
  Thomas: ['Tom', 'Tommy'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Anthony: ['Tony'],
  Jennifer: ['Jen', 'Jenny'],
  Margaret: ['Maggie', 'Peggy', 'Meg'],
  Katherine: ['Kate', 'Katie'],
  Catherine: ['Cathy', 'Kate'],
  Patricia: ['Pat', 'Trish'],
  Samantha: ['Sam'],
  Alexander: ['Alex'],
  Nicholas: ['Nick'],
  Benjamin: ['Ben'],
  Jonathan: ['Jon'],
  Edward: ['Ed', 'Ted'],
  Kimberly: ['Kim'],
  Rebecca: ['Becky'],
  Deborah: ['Debbie'],
  Susan: ['Sue'],
  Stephen: ['Steve'],
  Steven: ['Steve'],
  Andrew: ['Andy', 'Drew'],
  Gregory: ['Greg'],
  Timothy: ['Tim'],
  Kenneth: ['Ken'],
  Zachary: ['Zach'],
  Samuel: ['Sam'],
};

/** Mulberry32: small, fast, good enough for test data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Person {
  first: string;
  last: string;
  middle?: string;
  suffix?: string;
  email?: string;
  workEmail?: string;
  phone?: string;
  mobile?: string;
  birthday?: string;
  company?: string;
  companyDomain?: string;
  street?: string;
  city?: string;
  postalCode?: string;
  variants?: [string, string][];
}

export function syntheticContacts(options: SyntheticOptions): LabelledRecord[] {
  const rand = random(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const duplicateRate = options.duplicateRate ?? 0.3;
  const hardNegativeRate = options.hardNegativeRate ?? 0.15;
  const out: LabelledRecord[] = [];
  let entity = 0;
  let sequence = 0;
  const nextId = () => `R${String(sequence++).padStart(8, '0')}`;

  const makeCompany = () => {
    const name = pick(COMPANIES);
    const domain = `${name.toLowerCase()}${chance(0.5) ? '' : pick(['corp', 'hq', 'group', 'labs'])}.${pick(['com', 'io', 'co.uk', 'de', 'fr'])}`;
    return { company: `${name} ${pick(LEGAL)}`.trim(), companyDomain: domain };
  };
  const makePhone = (area: string) => `+1${area}${String(2 + Math.floor(rand() * 8))}${digits(6)}`;
  const birthday = () => {
    const y = 1950 + Math.floor(rand() * 55);
    const m = 1 + Math.floor(rand() * 12);
    const d = 1 + Math.floor(rand() * 28);
    return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  };
  // A mailbox belongs to one person: namesakes get jsmith2@, as providers make them.
  const takenEmails = new Set<string>();
  const mailbox = (first: string, last: string, domain: string) => {
    const f = first.toLowerCase();
    const l = last.toLowerCase();
    let local = pick([`${f}.${l}`, `${f[0]}${l}`, `${f}${l}`, `${f}_${l}`, `${f}.${l}${digits(2)}`, `${l}.${f}`]);
    const canonical = (l: string) => (domain === 'gmail.com' ? l.replaceAll('.', '') : l);
    while (takenEmails.has(`${canonical(local)}@${domain}`)) local = `${local}${digits(1)}`;
    takenEmails.add(`${canonical(local)}@${domain}`);
    return `${local}@${domain}`;
  };
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/ø/g, 'o')
      .replace(/ł/gi, 'l')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase() || 'x';
  // Each person with a multi-script name is unique, as in life; they are rare.
  const transliterated = [...TRANSLITERATED];

  const makePerson = (): Person => {
    const variants = transliterated.length > 0 && chance(0.01) ? transliterated.pop() : undefined;
    const [first, last] = variants ? variants[0]! : [pick(FIRST), pick(LAST)];
    // Mailboxes are written in Latin letters whatever script the name is in.
    const [latinFirst, latinLast] = variants ? variants[variants.length - 1]! : [first, last];
    const [city, area, zip] = pick(CITIES);
    const person: Person = { first, last, variants };
    if (chance(0.15)) person.middle = pick(FIRST);
    if (chance(0.8)) person.email = mailbox(ascii(latinFirst), ascii(latinLast), pick(FREE_MAIL));
    if (chance(0.75)) person.phone = makePhone(area);
    if (chance(0.3)) person.mobile = makePhone(pick(CITIES)[1]);
    if (chance(0.5)) person.birthday = birthday();
    if (chance(0.6)) {
      Object.assign(person, makeCompany());
      if (chance(0.7)) person.workEmail = mailbox(ascii(latinFirst), ascii(latinLast), person.companyDomain!);
    }
    if (chance(0.5)) {
      const [type] = pick(STREET_TYPES);
      person.street = `${1 + Math.floor(rand() * 9000)} ${pick(STREETS)} ${type}`;
      person.city = city;
      person.postalCode = `${zip}${digits(2)}`;
    }
    return person;
  };

  /** The record as someone typed it the first time: a subset of what is known. */
  const recordOf = (p: Person): IdentityRecord => {
    const emails = [p.email, p.workEmail].filter((e): e is string => Boolean(e) && chance(0.85));
    const phones = [p.phone, p.mobile].filter((n): n is string => Boolean(n) && chance(0.85));
    if (emails.length === 0 && phones.length === 0 && (p.email || p.phone)) {
      if (p.email) emails.push(p.email);
      else phones.push(p.phone!);
    }
    return {
      id: nextId(),
      firstName: p.first,
      middleName: p.middle,
      lastName: p.last,
      suffix: p.suffix,
      emails: emails.map((address) => ({ address })),
      phones: phones.map((number) => ({ number })),
      birthday: p.birthday,
      company: p.company ? { name: p.company, domain: chance(0.5) ? p.companyDomain : undefined } : undefined,
      address: p.street ? { street: p.street, city: p.city, postalCode: p.postalCode, country: 'US' } : undefined,
    };
  };

  const typo = (s: string): string => {
    if (s.length < 3) return s;
    const i = 1 + Math.floor(rand() * (s.length - 1));
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    switch (Math.floor(rand() * 4)) {
      case 0:
        return s.slice(0, i) + s.slice(i + 1);
      case 1:
        return s.slice(0, i) + pick([...letters]) + s.slice(i);
      case 2:
        return s.slice(0, i) + pick([...letters]) + s.slice(i + 1);
      default:
        return i < s.length - 1 ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
    }
  };
  const phoneFormat = (e164: string): string => {
    const n = e164.slice(2);
    return pick([
      `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
      `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`,
      `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
      `1-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
      n,
    ]);
  };
  const emailVariant = (address: string): string => {
    const [local, domain] = address.split('@') as [string, string];
    if (domain === 'gmail.com') {
      return pick([
        `${local.replaceAll('.', '')}@gmail.com`,
        `${local}@googlemail.com`,
        `${local}+crm@gmail.com`,
        address.toUpperCase(),
      ]);
    }
    return pick([address.toUpperCase(), `${local[0]!.toUpperCase()}${local.slice(1)}@${domain}`, address]);
  };

  /** A second record of the same person, typed by someone else, later, elsewhere. */
  const duplicateOf = (p: Person): IdentityRecord => {
    const base = recordOf(p);
    let first = p.first;
    let last = p.last;
    if (p.variants && chance(0.8)) [first, last] = pick(p.variants.slice(1));
    const roll = rand();
    if (roll < 0.2 && NICKNAMES[first]) first = pick(NICKNAMES[first]!);
    else if (roll < 0.35) first = typo(first);
    else if (roll < 0.45) last = typo(last);
    else if (roll < 0.5) first = `${first[0]}.`;
    else if (roll < 0.55) first = first.toUpperCase();
    let record: IdentityRecord = { ...base, firstName: first, lastName: last };
    if (chance(0.1)) record = { ...record, firstName: last, lastName: first };
    if (chance(0.05)) record = { ...record, firstName: `${first} ${last}`, lastName: undefined };
    record.phones = record.phones?.map((ph) => ({ number: chance(0.7) ? phoneFormat(ph.number) : ph.number }));
    record.emails = record.emails?.map((e) => ({ address: chance(0.5) ? emailVariant(e.address) : e.address }));
    if (chance(0.05) && record.emails?.[0]) record.emails = [{ address: typo(record.emails[0].address) }];
    if (chance(0.3)) record.birthday = undefined;
    if (chance(0.3)) record.company = undefined;
    if (chance(0.3)) record.address = undefined;
    if (chance(0.15)) record.middleName = undefined;
    if (record.address?.street && chance(0.5)) {
      const [full, short] = pick(STREET_TYPES);
      record.address = { ...record.address, street: record.address.street.replace(full, short).toUpperCase() };
    }
    if (record.birthday && chance(0.05)) {
      const [y, m, d] = record.birthday.split('-');
      record.birthday = Number(d) <= 12 ? `${y}-${d}-${m}` : record.birthday;
    }
    // A human never keeps a record without any way to reach or recognize the person.
    if (!record.emails?.length && !record.phones?.length && !record.birthday && !record.company && !record.address) {
      if (p.email) record.emails = [{ address: p.email }];
      else if (p.phone) record.phones = [{ number: p.phone }];
    }
    return record;
  };

  /** A first name nobody would take for a variant of `name`. */
  const otherFirstName = (name: string): string => {
    let first = pick(FIRST);
    while (first[0] === name[0]) first = pick(FIRST);
    return first;
  };

  /** Someone else who shares a lot with `p`: the hard negatives. */
  const lookAlikeOf = (p: Person): Person => {
    const kind = rand();
    if (kind < 0.4) {
      // Household: same surname, address and home phone; their own first name, birthday, mailbox.
      const first = otherFirstName(p.first);
      return {
        ...p,
        first,
        middle: undefined,
        email: chance(0.7) ? mailbox(ascii(first), ascii(p.last), pick(FREE_MAIL)) : undefined,
        workEmail: undefined,
        mobile: undefined,
        company: undefined,
        companyDomain: undefined,
        birthday: p.birthday ? birthday() : undefined,
        variants: undefined,
      };
    }
    if (kind < 0.7) {
      // Colleague: same employer, domain, office phone and address; another person.
      const first = otherFirstName(p.first);
      const last = chance(0.2) ? p.last : pick(LAST);
      return {
        first,
        last,
        company: p.company,
        companyDomain: p.companyDomain,
        workEmail: p.companyDomain ? mailbox(ascii(first), ascii(last), p.companyDomain) : undefined,
        phone: p.phone,
        street: p.street,
        city: p.city,
        postalCode: p.postalCode,
        birthday: chance(0.5) ? birthday() : undefined,
      };
    }
    if (kind < 0.9) {
      // Namesake: the same common name, nothing else in common.
      const other = makePerson();
      return { ...other, first: p.first, last: p.last, middle: undefined, variants: undefined };
    }
    // Father and son: same name and home, a generation apart.
    return {
      ...p,
      suffix: 'Jr.',
      email: chance(0.7) ? mailbox(ascii(p.first), ascii(p.last), pick(FREE_MAIL)) : undefined,
      workEmail: undefined,
      mobile: makePhone(pick(CITIES)[1]),
      phone: chance(0.5) ? p.phone : undefined,
      birthday: p.birthday ? `${Number(p.birthday.slice(0, 4)) + 25}${p.birthday.slice(4)}` : undefined,
      company: undefined,
      companyDomain: undefined,
      variants: undefined,
    };
  };

  while (entity < options.people) {
    const person = makePerson();
    const id = entity++;
    out.push({ record: recordOf(person), entity: id });
    if (chance(duplicateRate)) {
      const copies = 1 + (chance(0.25) ? 1 : 0) + (chance(0.05) ? 1 : 0);
      for (let i = 0; i < copies; i++) out.push({ record: duplicateOf(person), entity: id });
    }
    if (chance(hardNegativeRate) && entity < options.people) {
      const other = lookAlikeOf(person);
      const otherId = entity++;
      out.push({ record: recordOf(other), entity: otherId });
    }
  }
  // Shuffle so ids carry no hint of the entity.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
