import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvLine, neutralizeFormula } from '../../shared/domain/csv.ts';

describe('CSV for spreadsheets', () => {
  it.each(['=1+1', '+44 20', '-2', '@SUM(A1)', '\tx', '\rx'])('defuses %j as a formula', (value) => {
    expect(neutralizeFormula(value)).toBe(`'${value}`);
  });

  it('leaves ordinary values alone', () => {
    expect(neutralizeFormula('Ada')).toBe('Ada');
    expect(neutralizeFormula('a=b')).toBe('a=b');
  });

  it('writes lines a CSV parser reads back cell for cell', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 8 }), (cells) => {
        const [row] = parse(csvLine(cells, { neutralize: false }), { relax_column_count: true }) as string[][];
        expect(row).toEqual(cells);
      }),
    );
  });
});
