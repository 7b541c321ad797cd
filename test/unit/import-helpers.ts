import type { CountryCode } from 'libphonenumber-js';
import {
  candidateFromCells as candidate,
  prepareRow as prepare,
  splitFullName,
  type PreparedRow,
  type RowCandidate,
} from '../../shared/domain/import-row.ts';
import { groupDuplicates } from '../../shared/app/import-runner.ts';
import type { MappingPlan } from '../../shared/domain/import-mapping.ts';

export { splitFullName };

export function candidateFromCells(cells: string[], plan: MappingPlan): RowCandidate {
  return candidate(cells, plan, new Map());
}

export function prepareRow(row: number, c: RowCandidate, region: CountryCode): PreparedRow {
  return prepare(row, c, { definitions: new Map(), defaultRegion: region });
}

/** Leaders of rows given only by their emails and phones. */
export function groupDuplicatesKeys(rows: { emails: string[]; phones: string[] }[]): number[] {
  const prepared: PreparedRow[] = rows.map((r, i) => ({
    row: i + 1,
    ok: true,
    warnings: [],
    fields: {
      emails: r.emails.map((address) => ({ address, primary: false })),
      phones: r.phones.map((number) => ({ number, primary: false })),
      tags: [],
      customFields: {},
    },
  }));
  return [...groupDuplicates(prepared).leaderOf];
}
