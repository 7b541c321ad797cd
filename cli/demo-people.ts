/**
 * Realistic demo people for `kith seed` and the import benchmark: names from many cultures,
 * companies, job titles, tags, phones in several countries, and a few deliberate near-duplicates.
 * Deterministic for a given seed, so benchmarks compare like with like.
 */
const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Priya',
  'Arjun',
  'Neha',
  'Wei',
  'Mei',
  'Hiroshi',
  'Yuki',
  'Sakura',
  'Olusegun',
  'Chiamaka',
  'Amara',
  'Kwame',
  'Fatima',
  'Omar',
  'Layla',
  'Youssef',
  'Sofia',
  'Mateo',
  'Lucía',
  'Diego',
  'Camille',
  'Étienne',
  'Zoë',
  'Søren',
  'Ingrid',
  'Björn',
  'Aleksandr',
  'Olga',
  'Dmitri',
  'Anh',
  'Minh',
  'Ji-woo',
  'Seo-yeon',
  'Tomás',
  'João',
  'Aoife',
  'Siobhán',
  'Liam',
  'Noah',
  'Emma',
  'Olivia',
  'Mohammed',
  'Aisha',
  'Kofi',
  'Nia',
  'Ravi',
  'Ananya',
  'Chen',
  'Li',
  'Hana',
  'Matthias',
  'Jürgen',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Sharma',
  'Mehta',
  'Kapoor',
  'Zhang',
  'Wang',
  'Tanaka',
  'Suzuki',
  'Okafor',
  'Adeyemi',
  'Mensah',
  'Haddad',
  'El-Amin',
  'García',
  'Fernández',
  'Martín',
  'Dubois',
  'Lefèvre',
  'Müller',
  'Schmidt',
  'Nørgaard',
  'Andersson',
  'Ivanov',
  'Petrova',
  'Nguyen',
  'Tran',
  'Kim',
  'Park',
  'Silva',
  'Costa',
  "O'Brien",
  'Murphy',
  'Smith',
  'Brown',
  'Williams',
  'Khan',
  'Hussein',
  'Abebe',
  'Osei',
  'Patel',
  'Iyer',
  'Chen',
  'Li',
  'Yamamoto',
  'Weber',
  'van der Berg',
  'de la Cruz',
  'Rossi',
  'Bianchi',
];
const COMPANIES = [
  'Acme Analytics',
  'Globex',
  'Initech',
  'Umbrella Health',
  'Stark Industries',
  'Wayne Logistics',
  'Hooli',
  'Pied Piper',
  'Tyrell Systems',
  'Cyberdyne',
  'Soylent Foods',
  'Wonka Confectionery',
  'Nordlicht GmbH',
  'Sakura Robotics',
  'Lagos Fintech',
  'Café Lumière',
  'Andes Mining',
  'Bharat Software',
  'Kiwi Ventures',
  'Fjord Energy',
];
const DOMAINS = ['example.com', 'example.org', 'mail.example', 'corp.example', 'example.net'];
const TITLES = [
  'CEO',
  'CTO',
  'Head of Sales',
  'Account Executive',
  'Engineer',
  'Product Manager',
  'Designer',
  'Recruiter',
  'CFO',
  'Founder',
];
const TAGS = ['vip', 'customer', 'prospect', 'partner', 'newsletter', 'event-2026', 'investor', 'churn-risk'];
const PHONES = [
  (n: number) => `+1 212 555 ${String(n % 10000).padStart(4, '0')}`,
  (n: number) => `+44 20 7946 ${String(n % 10000).padStart(4, '0')}`,
  (n: number) => `+49 30 1234${String(n % 10000).padStart(4, '0')}`,
  (n: number) => `+33 1 42 68 ${String(n % 100).padStart(2, '0')} ${String((n >> 7) % 100).padStart(2, '0')}`,
  (n: number) => `+81 3 1234 ${String(n % 10000).padStart(4, '0')}`,
];

/** Small deterministic PRNG (mulberry32), so a seed gives the same people every time. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoPerson {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  company: string;
  jobTitle: string;
  tags: string[];
  city: string;
  country: string;
}

const PLACES: [string, string][] = [
  ['New York', 'US'],
  ['London', 'GB'],
  ['Berlin', 'DE'],
  ['Paris', 'FR'],
  ['Tokyo', 'JP'],
  ['Lagos', 'NG'],
  ['Mumbai', 'IN'],
  ['São Paulo', 'BR'],
  ['Seoul', 'KR'],
  ['Stockholm', 'SE'],
  ['Madrid', 'ES'],
  ['Nairobi', 'KE'],
];

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');

/** Person number `n`: unique email, plausible everything else. */
export function demoPerson(n: number, rand: () => number): DemoPerson {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const firstName = pick(FIRST);
  const lastName = pick(LAST);
  const [city, country] = pick(PLACES);
  return {
    firstName,
    lastName,
    email: `${ascii(firstName)}.${ascii(lastName)}.${n}@${pick(DOMAINS)}`,
    phone: pick(PHONES)(n * 7919 + 17),
    company: pick(COMPANIES),
    jobTitle: pick(TITLES),
    tags: TAGS.filter(() => rand() < 0.15),
    city,
    country,
  };
}

/** A near-duplicate of a person, as people and systems make them: another email, a typo, a nickname. */
export function nearDuplicate(person: DemoPerson, n: number, rand: () => number): DemoPerson {
  const variants = [
    { ...person, email: person.email.replace('@', `+crm${n}@`) },
    {
      ...person,
      lastName: person.lastName.length > 3 ? person.lastName.slice(0, -1) : `${person.lastName}e`,
      email: `${n}.${person.email}`,
    },
    { ...person, firstName: person.firstName.slice(0, 3), email: `alt${n}.${person.email}` },
  ];
  return variants[Math.floor(rand() * variants.length)]!;
}
