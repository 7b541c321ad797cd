import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import anyAscii from 'any-ascii';
import { foldText, personName, phoneticCodes } from '../../shared/domain/dedup/identity.ts';
import { TRANSLITERATED_BLOCKS } from '../../shared/domain/dedup/transliteration.ts';

/** How names were folded with any-ascii's whole table in the bundle (it stays a dev dependency for this). */
const anyAsciiFold = (raw: string) =>
  anyAscii(raw.normalize('NFKC'))
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

const blockCharacters = TRANSLITERATED_BLOCKS.flatMap(([, first, last]) =>
  Array.from({ length: last - first + 1 }, (_, i) => String.fromCodePoint(first + i)),
).filter((char) => !/\p{Cn}/u.test(char));

describe('folding names for matching', () => {
  it('spells every Latin, Greek and Cyrillic character exactly as any-ascii does', () => {
    const differences = blockCharacters
      .filter((char) => foldText(char) !== anyAsciiFold(char))
      .map((char) => `U+${char.codePointAt(0)!.toString(16)} ${char}: ${foldText(char)} ≠ ${anyAsciiFold(char)}`);
    expect(differences).toEqual([]);
  });

  it('folds any text of those scripts, punctuation and apostrophes as any-ascii did', () => {
    const alphabet = [...blockCharacters, ..."abcxyzABC019 -.,'’`´‘", '\u0301', '\u0308'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }), (chars) => {
        const text = chars.join('');
        expect(foldText(text)).toBe(anyAsciiFold(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('spells Russian, Ukrainian, Serbian and Greek names letter by letter', () => {
    expect(personName({ firstName: 'Дмитрий', lastName: 'Иванов' })).toEqual({ first: 'dmitriy', last: 'ivanov' });
    expect(personName({ firstName: 'Юлія', lastName: 'Ковальчук' })).toEqual({ first: 'yuliya', last: 'kovalchuk' });
    expect(foldText('Đorđević')).toBe('dordevic');
    expect(foldText('Θεοδώρα Παπαδοπούλου')).toBe('theodora papadopoyloy');
    expect(foldText('O’Brien-Łukasiewicz')).toBe('obrien lukasiewicz');
  });

  it('keeps other scripts as written, each letter whole, so their names still compare and block', () => {
    expect(foldText('山田 太郎')).toBe('山田 太郎');
    expect(foldText('김민준')).toBe('김민준');
    expect(foldText('ガルシア')).not.toBe(foldText('カルシア'));
    expect(personName({ firstName: '太郎', lastName: '山田' })).toEqual({ first: '太郎', last: '山田' });
    expect(phoneticCodes('山田')).toEqual(['山田']);
  });
});
