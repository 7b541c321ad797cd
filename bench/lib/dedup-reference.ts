/**
 * Readers for the reference dedup data sets kept beside the repository (never copied into it:
 * their licences vary and a user's clone does not have them). Each returns labelled identity
 * records, or `undefined` with the reason when the file is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Labelled } from './dedup-quality.ts';

export const REFERENCE_DIR =
  process.env.KITH_DEDUP_REFERENCE ?? fileURLToPath(new URL('../../../shared/reference/dedup/', import.meta.url));

export interface ReferenceSet {
  name: string;
  kind: 'people' | 'organisations';
  records: Labelled[];
}

/** RFC 4180-ish CSV: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function table(path: string): Record<string, string>[] | undefined {
  if (!existsSync(path)) return undefined;
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return rows.filter((r) => r.length === names.length).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]!.trim()])));
}

const present = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);

/** Splink's fake_1000: people with typos, swapped names, varied dates of birth; `cluster` is the truth. */
export function splinkFake1000(): ReferenceSet | undefined {
  const rows = table(`${REFERENCE_DIR}/splink_fake_1000/fake_1000.csv`);
  if (!rows) return undefined;
  return {
    name: 'splink_fake_1000',
    kind: 'people',
    records: rows.map((row) => ({
      entity: row.cluster!,
      record: {
        id: `S${row.unique_id!.padStart(6, '0')}`,
        firstName: present(row.first_name),
        lastName: present(row.surname),
        birthday: present(row.dob),
        emails: present(row.email) ? [{ address: row.email! }] : [],
        address: present(row.city) ? { city: row.city } : undefined,
      },
    })),
  };
}

/** Fodor's and Zagat's restaurant guides: organisations with name, street, city, phone; `class` is the truth. */
export function restaurants(): ReferenceSet | undefined {
  const path = `${REFERENCE_DIR}/restaurant_fodors_zagat/restaurant.csv`;
  if (!existsSync(path)) return undefined;
  // Values are quoted with a space after each comma: `"a", "b", '0'`.
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).slice(1).filter(Boolean);
  const records = lines.map((line, index) => {
    const cells = [...line.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2] ?? '');
    const [name, addr, city, phone, , cls] = cells;
    return {
      entity: cls ?? `row${index}`,
      record: {
        id: `F${String(index).padStart(6, '0')}`,
        company: { name: name ?? '' },
        phones: present(phone) ? [{ number: phone!.replace('/', '-') }] : [],
        address: { street: present(addr), city: present(city), country: 'US' },
      },
    };
  });
  return { name: 'restaurant_fodors_zagat', kind: 'organisations', records };
}

/** dedupe.io's csv_example: Chicago early-childhood sites with name, address, zip, phone; `True Id` is the truth. */
export function earlyChildhoodSites(): ReferenceSet | undefined {
  const rows = table(`${REFERENCE_DIR}/dedupe_examples/csv_example_csv_example_input_with_true_ids.csv`);
  if (!rows) return undefined;
  return {
    name: 'dedupe_csv_example',
    kind: 'organisations',
    records: rows.map((row, index) => ({
      entity: row['True Id']!,
      record: {
        id: `D${String(index).padStart(6, '0')}`,
        company: { name: row['Site name'] ?? '' },
        // Seven-digit numbers are Chicago's; the area code was left out by the source.
        phones: present(row.Phone) ? [{ number: row.Phone!.length === 7 ? `312${row.Phone}` : row.Phone! }] : [],
        emails: present(row['Email Address']) ? [{ address: row['Email Address']! }] : [],
        address: { street: present(row.Address), postalCode: present(row.Zip), city: 'chicago', country: 'US' },
      },
    })),
  };
}
