/**
 * How the columns of a contact export become a contact: presets for the tools people leave
 * (Google Contacts, Outlook, HubSpot, LinkedIn), a generic header matcher, and explicit mappings.
 * A target is a path into the contact body (`emails[0].address`, `customFields.tier`) or one of
 * a few conveniences (`email`, `phone`, `fullName`, `tags`, `ignore`).
 */
import * as z from 'zod';

export const IMPORT_PRESETS = ['google', 'outlook', 'hubspot', 'linkedin', 'generic'] as const;
export type ImportPreset = (typeof IMPORT_PRESETS)[number];

const SCALAR_TARGETS = [
  'firstName',
  'middleName',
  'lastName',
  'nickname',
  'prefix',
  'suffix',
  'jobTitle',
  'department',
  'birthday',
  'lifecycleStage',
  'leadSource',
  'ownerId',
  'timeZone',
] as const;
const ADDRESS_PARTS = ['street', 'street2', 'city', 'region', 'postalCode', 'country'] as const;

/** Every target an explicit mapping may name; presets use the same grammar. */
export const TARGET_PATTERN = new RegExp(
  [
    `^(${SCALAR_TARGETS.join('|')})$`,
    '^(fullName|email|phone|tags|ignore)$',
    '^(email|phone):[a-z][a-z0-9 _-]{0,31}$',
    '^emails\\[\\d{1,2}\\]\\.(address|label)$',
    '^phones\\[\\d{1,2}\\]\\.(number|label)$',
    `^address\\.(${ADDRESS_PARTS.join('|')})$`,
    '^customFields\\.[a-z][a-zA-Z0-9_]{0,63}$',
    '^(externalIds|socialProfiles)\\.[a-z][a-z0-9_]{0,31}$',
  ].join('|'),
);

export const ColumnMapping = z
  .record(z.string().min(1).max(200), z.string().regex(TARGET_PATTERN, 'is not a contact field Kith can import into').nullable())
  .refine((m) => Object.keys(m).length <= 500, 'at most 500 columns')
  .meta({
    description:
      'Header → target. Targets: firstName, lastName, fullName, email, email:<label>, phone, phone:<label>, ' +
      'emails[n].address, emails[n].label, phones[n].number, phones[n].label, tags, birthday, jobTitle, department, ' +
      'lifecycleStage, leadSource, address.<street|street2|city|region|postalCode|country>, customFields.<key>, ' +
      'externalIds.<system>, socialProfiles.<channel>, ignore (or null).',
  });
export type ColumnMapping = z.output<typeof ColumnMapping>;

/** One rule of a preset: the header it recognizes and where the column goes. */
interface PresetRule {
  header: string | RegExp;
  target: string | ((match: RegExpExecArray) => string);
}

const slot = (n: string) => Number(n) - 1;

/** Google Contacts, current export ("Label"/"Value" pairs), its legacy 81-column format and its Outlook mode. */
const GOOGLE: PresetRule[] = [
  { header: 'First Name', target: 'firstName' },
  { header: 'Given Name', target: 'firstName' },
  { header: 'Middle Name', target: 'middleName' },
  { header: 'Additional Name', target: 'middleName' },
  { header: 'Last Name', target: 'lastName' },
  { header: 'Family Name', target: 'lastName' },
  { header: 'Name', target: 'fullName' },
  { header: 'Name Prefix', target: 'prefix' },
  { header: 'Name Suffix', target: 'suffix' },
  { header: 'Nickname', target: 'nickname' },
  { header: 'Birthday', target: 'birthday' },
  { header: 'Organization Title', target: 'jobTitle' },
  { header: 'Organization Department', target: 'department' },
  { header: 'Organization 1 - Title', target: 'jobTitle' },
  { header: 'Organization 1 - Department', target: 'department' },
  { header: 'Labels', target: 'tags' },
  { header: 'Group Membership', target: 'tags' },
  { header: /^E-mail (\d+) - Value$/, target: (m) => `emails[${slot(m[1]!)}].address` },
  { header: /^E-mail (\d+) - (?:Label|Type)$/, target: (m) => `emails[${slot(m[1]!)}].label` },
  { header: /^Phone (\d+) - Value$/, target: (m) => `phones[${slot(m[1]!)}].number` },
  { header: /^Phone (\d+) - (?:Label|Type)$/, target: (m) => `phones[${slot(m[1]!)}].label` },
  { header: 'Address 1 - Street', target: 'address.street' },
  { header: 'Address 1 - Extended Address', target: 'address.street2' },
  { header: 'Address 1 - City', target: 'address.city' },
  { header: 'Address 1 - Region', target: 'address.region' },
  { header: 'Address 1 - Postal Code', target: 'address.postalCode' },
  { header: 'Address 1 - Country', target: 'address.country' },
];

/** Outlook.com People, Outlook desktop (English) and Google's "Outlook CSV": Business before Home. */
const OUTLOOK: PresetRule[] = [
  { header: 'First Name', target: 'firstName' },
  { header: 'Middle Name', target: 'middleName' },
  { header: 'Last Name', target: 'lastName' },
  { header: 'Title', target: 'prefix' },
  { header: 'Suffix', target: 'suffix' },
  { header: 'Nickname', target: 'nickname' },
  { header: 'Birthday', target: 'birthday' },
  { header: 'Job Title', target: 'jobTitle' },
  { header: 'Department', target: 'department' },
  { header: 'Categories', target: 'tags' },
  { header: 'E-mail Address', target: 'email' },
  { header: 'E-mail 2 Address', target: 'email' },
  { header: 'E-mail 3 Address', target: 'email' },
  { header: 'Mobile Phone', target: 'phone:mobile' },
  { header: 'Business Phone', target: 'phone:work' },
  { header: 'Primary Phone', target: 'phone' },
  { header: 'Home Phone', target: 'phone:home' },
  { header: 'Business Phone 2', target: 'phone:work' },
  { header: 'Home Phone 2', target: 'phone:home' },
  { header: 'Company Main Phone', target: 'phone:work' },
  { header: 'Other Phone', target: 'phone:other' },
  { header: 'Business Street', target: 'address.street' },
  { header: 'Business Street 2', target: 'address.street2' },
  { header: 'Business City', target: 'address.city' },
  { header: 'Business State', target: 'address.region' },
  { header: 'Business Postal Code', target: 'address.postalCode' },
  { header: /^Business Country(\/Region)?$/, target: 'address.country' },
  { header: 'Home Street', target: 'address.street' },
  { header: 'Home Street 2', target: 'address.street2' },
  { header: 'Home City', target: 'address.city' },
  { header: 'Home State', target: 'address.region' },
  { header: 'Home Postal Code', target: 'address.postalCode' },
  { header: /^Home Country(\/Region)?$/, target: 'address.country' },
];

/** HubSpot exports have no fixed header: `Record ID` (formerly `Contact ID`) first, then the view's properties. */
const HUBSPOT: PresetRule[] = [
  { header: /^(Record|Contact) ID$/, target: 'externalIds.hubspot' },
  { header: 'First Name', target: 'firstName' },
  { header: 'Last Name', target: 'lastName' },
  { header: 'Email', target: 'email' },
  { header: 'Phone Number', target: 'phone' },
  { header: 'Mobile Phone Number', target: 'phone:mobile' },
  { header: 'Job Title', target: 'jobTitle' },
  { header: 'Lifecycle Stage', target: 'lifecycleStage' },
  { header: 'Original Source', target: 'leadSource' },
  { header: 'Street Address', target: 'address.street' },
  { header: 'City', target: 'address.city' },
  { header: 'State/Region', target: 'address.region' },
  { header: 'Postal Code', target: 'address.postalCode' },
  { header: 'Country/Region', target: 'address.country' },
];

/** LinkedIn `Connections.csv`. */
const LINKEDIN: PresetRule[] = [
  { header: 'First Name', target: 'firstName' },
  { header: 'Last Name', target: 'lastName' },
  { header: 'URL', target: 'socialProfiles.linkedin' },
  { header: 'Email Address', target: 'email' },
  { header: 'Position', target: 'jobTitle' },
];

/** Loose header names (compared lower-case without punctuation) → target; also Kith's own export headers. */
const GENERIC_ALIASES: Record<string, string> = {
  firstname: 'firstName',
  givenname: 'firstName',
  first: 'firstName',
  forename: 'firstName',
  middlename: 'middleName',
  lastname: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  last: 'lastName',
  name: 'fullName',
  fullname: 'fullName',
  displayname: 'fullName',
  nickname: 'nickname',
  prefix: 'prefix',
  suffix: 'suffix',
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  workemail: 'email:work',
  personalemail: 'email:personal',
  primaryemail: 'email',
  secondaryemail: 'email',
  phone: 'phone',
  phonenumber: 'phone',
  telephone: 'phone',
  tel: 'phone',
  mobile: 'phone:mobile',
  mobilephone: 'phone:mobile',
  cell: 'phone:mobile',
  workphone: 'phone:work',
  homephone: 'phone:home',
  jobtitle: 'jobTitle',
  title: 'jobTitle',
  position: 'jobTitle',
  role: 'jobTitle',
  department: 'department',
  birthday: 'birthday',
  dateofbirth: 'birthday',
  dob: 'birthday',
  tags: 'tags',
  labels: 'tags',
  categories: 'tags',
  lifecyclestage: 'lifecycleStage',
  leadsource: 'leadSource',
  source: 'leadSource',
  timezone: 'timeZone',
  street: 'address.street',
  streetaddress: 'address.street',
  address: 'address.street',
  addressstreet: 'address.street',
  addressstreet2: 'address.street2',
  city: 'address.city',
  addresscity: 'address.city',
  region: 'address.region',
  state: 'address.region',
  addressregion: 'address.region',
  postalcode: 'address.postalCode',
  zip: 'address.postalCode',
  zipcode: 'address.postalCode',
  postcode: 'address.postalCode',
  addresspostalcode: 'address.postalCode',
  country: 'address.country',
  addresscountry: 'address.country',
  linkedin: 'socialProfiles.linkedin',
  linkedinurl: 'socialProfiles.linkedin',
  twitter: 'socialProfiles.twitter',
};

const PRESETS: Record<Exclude<ImportPreset, 'generic'>, PresetRule[]> = {
  google: GOOGLE,
  outlook: OUTLOOK,
  hubspot: HUBSPOT,
  linkedin: LINKEDIN,
};

/** Recognizes the tool that wrote a file from its header. */
export function detectPreset(headers: readonly string[]): ImportPreset {
  const has = (name: string) => headers.includes(name);
  if (has('Record ID') || has('Contact ID')) return 'hubspot';
  if (has('Connected On') && has('URL')) return 'linkedin';
  if (headers.some((h) => /^E-mail \d+ - (Value|Label|Type)$/.test(h)) || has('Given Name')) return 'google';
  if (has('E-mail Address') || has('Business Phone') || has('Mobile Phone')) return 'outlook';
  return 'generic';
}

/** Where one column goes; columns naming the same scalar target are tried in this order. */
export interface ColumnPlan {
  index: number;
  header: string;
  target: string;
}

export interface MappingPlan {
  preset: ImportPreset;
  columns: ColumnPlan[];
  /** Headers nothing maps, so a dry run can show what would be left behind. */
  unmapped: string[];
}

function genericTarget(header: string): string | undefined {
  const key = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (GENERIC_ALIASES[key]) return GENERIC_ALIASES[key];
  // Kith's own CSV export names columns by their paths; they come back unchanged.
  return TARGET_PATTERN.test(header) && header !== 'ignore' ? header : undefined;
}

/**
 * The plan for a file's header: explicit mapping first, then the preset's rules (in the
 * preset's order of preference), then, for the generic preset, loose header names.
 */
export function planMapping(headers: readonly string[], preset: ImportPreset, explicit: ColumnMapping = {}): MappingPlan {
  const rules = preset === 'generic' ? [] : PRESETS[preset];
  const planned: (ColumnPlan & { rank: number })[] = [];
  const unmapped: string[] = [];
  headers.forEach((rawHeader, index) => {
    const header = rawHeader.trim();
    if (header in explicit) {
      const target = explicit[header];
      if (target && target !== 'ignore') planned.push({ index, header, target, rank: -1 });
      return;
    }
    for (const [rank, rule] of rules.entries()) {
      const match =
        typeof rule.header === 'string'
          ? rule.header === header
            ? ([header] as unknown as RegExpExecArray)
            : null
          : rule.header.exec(header);
      if (!match) continue;
      planned.push({ index, header, target: typeof rule.target === 'string' ? rule.target : rule.target(match), rank });
      return;
    }
    const loose = header === '' ? undefined : genericTarget(header);
    if (loose) planned.push({ index, header, target: loose, rank: rules.length });
    else if (header !== '') unmapped.push(header);
  });
  planned.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return { preset, columns: planned.map(({ rank: _rank, ...column }) => column), unmapped };
}
