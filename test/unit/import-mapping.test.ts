import { describe, expect, it } from 'vitest';
import { detectPreset, planMapping } from '../../shared/domain/import-mapping.ts';
import { candidateFromCells, groupDuplicatesKeys, prepareRow, splitFullName } from './import-helpers.ts';

const GOOGLE_CURRENT =
  'First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value'.split(
    ',',
  );
const GOOGLE_LEGACY =
  'Name,Given Name,Additional Name,Family Name,Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Name,Organization 1 - Title'.split(
    ',',
  );
const OUTLOOK =
  'First Name,Middle Name,Last Name,Title,Suffix,Nickname,E-mail Address,E-mail 2 Address,Home Phone,Business Phone,Mobile Phone,Job Title,Company,Business Street,Business City,Home City,Business Country/Region,Categories'.split(
    ',',
  );
const HUBSPOT =
  'Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Associated Company,Country/Region,Contact owner'.split(
    ',',
  );
const LINKEDIN = 'First Name,Last Name,URL,Email Address,Company,Position,Connected On'.split(',');

describe('presets', () => {
  it('recognize the tool that wrote a header', () => {
    expect(detectPreset(GOOGLE_CURRENT)).toBe('google');
    expect(detectPreset(GOOGLE_LEGACY)).toBe('google');
    expect(detectPreset(OUTLOOK)).toBe('outlook');
    expect(detectPreset(HUBSPOT)).toBe('hubspot');
    expect(detectPreset(['Contact ID', 'Email'])).toBe('hubspot');
    expect(detectPreset(LINKEDIN)).toBe('linkedin');
    expect(detectPreset(['name', 'mail'])).toBe('generic');
  });

  it('read Google label/value pairs, the * primary marker and ::: lists', () => {
    const plan = planMapping(GOOGLE_CURRENT, 'google');
    const cells = GOOGLE_CURRENT.map(() => '');
    const set = (header: string, value: string) => (cells[GOOGLE_CURRENT.indexOf(header)] = value);
    set('First Name', 'Grace');
    set('Labels', '* myContacts ::: Navy ::: * starred');
    set('E-mail 1 - Label', 'Home');
    set('E-mail 1 - Value', 'grace@home.example ::: g@home.example');
    set('E-mail 2 - Label', '* Work');
    set('E-mail 2 - Value', 'grace@navy.example');
    set('Phone 1 - Label', 'Mobile');
    set('Phone 1 - Value', '+1 212 555 0199');
    const row = prepareRow(1, candidateFromCells(cells, plan), 'US');
    expect(row.ok && row.fields).toMatchObject({
      firstName: 'Grace',
      tags: ['navy'],
      emails: [
        { address: 'grace@home.example', label: 'home', primary: false },
        { address: 'g@home.example', label: 'home', primary: false },
        { address: 'grace@navy.example', label: 'work', primary: true },
      ],
      phones: [{ number: '+12125550199', label: 'mobile', primary: true }],
    });
  });

  it('prefer Outlook business columns over home ones, and map Title to the name prefix', () => {
    const plan = planMapping(OUTLOOK, 'outlook');
    const cells = OUTLOOK.map(() => '');
    const set = (header: string, value: string) => (cells[OUTLOOK.indexOf(header)] = value);
    set('First Name', 'Svein');
    set('Title', 'Dr.');
    set('Home City', 'Bergen');
    set('Business City', 'Oslo');
    set('Business Country/Region', 'Norway');
    set('Mobile Phone', '+47 466 88 000');
    set('Categories', 'myContacts;starred;Friends');
    const row = prepareRow(1, candidateFromCells(cells, plan), 'US');
    expect(row.ok && row.fields).toMatchObject({
      firstName: 'Svein',
      prefix: 'Dr.',
      address: { city: 'Oslo', country: 'NO' },
      phones: [{ number: '+4746688000', label: 'mobile' }],
      tags: ['friends'],
    });
  });

  it('keep the HubSpot record id as an external id and read its lifecycle stages', () => {
    const plan = planMapping(HUBSPOT, 'hubspot');
    const row = prepareRow(
      1,
      candidateFromCells(
        ['101', 'Camille', 'Durand', 'CAMILLE@example.com', '', 'Marketing Qualified Lead', '', '', 'France', ''],
        plan,
      ),
      'US',
    );
    expect(row.ok && row.fields).toMatchObject({
      externalIds: { hubspot: '101' },
      emails: [{ address: 'camille@example.com' }],
      lifecycleStage: 'marketing_qualified_lead',
      address: { country: 'FR' },
    });
    expect(plan.unmapped).toEqual(['Create Date', 'Associated Company', 'Contact owner']);
  });

  it('let an explicit mapping override and ignore columns, including custom fields', () => {
    const plan = planMapping(['Given', 'Mail', 'Tier', 'First Name'], 'generic', {
      Given: 'firstName',
      Mail: 'email:work',
      Tier: 'customFields.tier',
      'First Name': null,
    });
    expect(plan.columns.map((c) => [c.header, c.target])).toEqual([
      ['Given', 'firstName'],
      ['Mail', 'email:work'],
      ['Tier', 'customFields.tier'],
    ]);
  });

  it('map the generic columns people name loosely, and the columns of a Kith export back', () => {
    const plan = planMapping(
      ['Full name', 'E-Mail', 'phone_number', 'Zip', 'emails[1].address', 'customFields.seats'],
      'generic',
    );
    expect(plan.columns.map((c) => c.target)).toEqual([
      'fullName',
      'email',
      'phone',
      'address.postalCode',
      'emails[1].address',
      'customFields.seats',
    ]);
  });
});

describe('a row', () => {
  it('fails whole, naming every bad column', () => {
    const plan = planMapping(['Name', 'Email', 'Phone', 'Birthday'], 'generic');
    const row = prepareRow(7, candidateFromCells(['Ada Lovelace', 'nope', '12', '31/31/1999'], plan), 'US');
    expect(row.ok).toBe(false);
    expect(!row.ok && row.problems.map((p) => [p.row, p.column, p.value])).toEqual([
      [7, 'Birthday', '31/31/1999'],
      [7, 'Email', 'nope'],
      [7, 'Phone', '12'],
    ]);
  });

  it('splits full names written either way', () => {
    expect(splitFullName('Lovelace, Ada')).toEqual({ firstName: 'Ada', lastName: 'Lovelace' });
    expect(splitFullName('Ada King Lovelace')).toEqual({ firstName: 'Ada King', lastName: 'Lovelace' });
    expect(splitFullName('user@gmail.com')).toEqual({});
  });

  it('undoes the apostrophe a CSV export put before a formula-like value', () => {
    const plan = planMapping(['Phone'], 'generic');
    const row = prepareRow(1, candidateFromCells(["'+44 20 7946 0000"], plan), 'US');
    expect(row.ok && row.fields.phones[0]?.number).toBe('+442079460000');
  });
});

describe('duplicates inside a file', () => {
  it('group rows sharing an email, or a phone where one has no email, transitively, led by the first', () => {
    const leaders = groupDuplicatesKeys([
      { emails: ['a@x.org'], phones: [] },
      { emails: ['b@x.org'], phones: ['+1'] },
      { emails: ['a@x.org'], phones: ['+2'] },
      { emails: ['c@x.org'], phones: ['+2'] },
      { emails: [], phones: ['+1'] },
      { emails: ['d@x.org'], phones: [] },
    ]);
    // Rows 2 and 3 share +2 but each has its own email: two people on one line, not one person.
    expect(leaders).toEqual([0, 1, 0, 3, 1, 5]);
  });
});
