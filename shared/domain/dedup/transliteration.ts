import { TRANSLITERATIONS } from './transliteration-table.ts';

/**
 * Latin letters for the scripts names in a CRM are mostly written in: every Latin letter with
 * its marks folded (`é` → `e`, `ß` → `ss`, `ł` → `l`), Greek and Cyrillic spelled out as
 * any-ascii spells them (`Дмитрий` → `dmitriy`, `Θεοδώρα` → `theodora`). Other scripts (Han,
 * kana, Hangul, Arabic, Hebrew …) stay as written: they compare letter by letter.
 */

/** The Unicode blocks spelled in Latin letters: [name, first, last code point]. */
export const TRANSLITERATED_BLOCKS: readonly (readonly [string, number, number])[] = [
  ['Latin-1 Supplement, Latin Extended-A and -B', 0x00c0, 0x024f],
  ['IPA Extensions, Spacing Modifier Letters', 0x0250, 0x02ff],
  ['Greek and Coptic', 0x0370, 0x03ff],
  ['Cyrillic, Cyrillic Supplement', 0x0400, 0x052f],
  ['Latin Extended Additional', 0x1e00, 0x1eff],
  ['Greek Extended', 0x1f00, 0x1fff],
];

let table: ReadonlyMap<string, string> | undefined;
/** Built on first use: a cold start that never folds a name does not pay for it. */
function spellings(): ReadonlyMap<string, string> {
  return (table ??= new Map(
    TRANSLITERATIONS.flatMap((line) => line.split(' ')).map((entry) => [entry.slice(0, 1), entry.slice(1)] as const),
  ));
}

/**
 * Marks on a Latin letter once decomposed (`é` = `e` + U+0301), or on a digit or punctuation;
 * the marks of other scripts (kana's voicing, Devanagari's vowels) carry meaning and stay.
 */
const LATIN_MARKS = /(?<=[\p{Script=Latin}\p{Script=Common}])\p{M}+/gu;
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Lower-case text with Latin, Greek and Cyrillic letters in ASCII. `table` is for the generator
 * only (scripts/transliteration-table.ts), which asks what decomposition alone would give.
 */
export function transliterate(text: string, table: ReadonlyMap<string, string> = spellings()): string {
  const lower = text.normalize('NFKC').toLowerCase();
  if (ASCII.test(lower)) return lower;
  let spelled = '';
  for (const char of lower) spelled += table.get(char) ?? char;
  return spelled.normalize('NFKD').replace(LATIN_MARKS, '').normalize('NFC');
}
