/**
 * A messy contact export, as people really bring them: an Outlook-style header behind a BOM,
 * CRLF, quoted commas and newlines, mixed phone formats, upper-case emails, invalid cells and
 * duplicate people inside the file. Deterministic for a seed.
 */
import { csvLine } from '../shared/domain/csv.ts';
import { demoPerson, nearDuplicate, random } from '../cli/demo-people.ts';

export interface MessyCsv {
  text: string;
  rows: number;
}

const HEADER = [
  'First Name',
  'Last Name',
  'E-mail Address',
  'Mobile Phone',
  'Company',
  'Job Title',
  'Business City',
  'Business Country/Region',
  'Categories',
  'Birthday',
  'Notes',
];

export function messyCsv(rows: number, seed = 42): MessyCsv {
  const rand = random(seed);
  const lines: string[] = ['\uFEFF' + csvLine(HEADER, { neutralize: false })];
  const earlier: ReturnType<typeof demoPerson>[] = [];
  for (let n = 0; n < rows; n++) {
    const roll = rand();
    let person = demoPerson(n, rand);
    if (roll < 0.02 && earlier.length > 0)
      person = earlier[Math.floor(rand() * earlier.length)]!; // exact duplicate row
    else if (roll < 0.04 && earlier.length > 0) person = nearDuplicate(earlier[Math.floor(rand() * earlier.length)]!, n, rand);
    if (earlier.length < 5000) earlier.push(person);
    const email = roll > 0.98 ? person.email.replace('@', ' at ') : rand() < 0.2 ? person.email.toUpperCase() : person.email;
    const phone = rand() < 0.3 ? person.phone.replace(/ /g, '-') : rand() < 0.01 ? '12' : person.phone;
    const birthday =
      rand() < 0.3 ? `${1 + Math.floor(rand() * 12)}/${1 + Math.floor(rand() * 28)}/19${50 + Math.floor(rand() * 50)}` : '';
    const notes = rand() < 0.05 ? 'Met at the conference,\r\nfollow up "soon"' : '';
    lines.push(
      csvLine(
        [
          person.firstName,
          person.lastName,
          email,
          phone,
          person.company,
          person.jobTitle,
          person.city,
          person.country,
          person.tags.join(';'),
          birthday,
          notes,
        ],
        { neutralize: false },
      ),
    );
  }
  return { text: lines.join(''), rows };
}
