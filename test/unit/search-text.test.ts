import { describe, expect, it } from 'vitest';
import { analyzeQuery, emailTerms, foldText, nameTerms, phoneTerms, typoBudget } from '../../shared/domain/search-text.ts';

describe('search text', () => {
  it('folds case, accents and letters without decompositions', () => {
    expect(foldText('Zoë Müller')).toBe('zoe muller');
    expect(foldText('JOSÉ Ångström')).toBe('jose angstrom');
    expect(foldText('Straße Øresund Łódź Æsir')).toBe('strasse oresund lodz aesir');
    expect(foldText('Иван')).toBe('иван');
    expect(foldText('ｆｕｌｌ')).toBe('full');
  });

  it('splits names into words and their joined forms, and unspaced scripts into every suffix', () => {
    expect(nameTerms("O'Brien")).toEqual(['o', 'brien', 'obrien']);
    expect(nameTerms('Jean-Luc')).toEqual(['jean', 'luc', 'jeanluc']);
    expect(nameTerms('山田太郎')).toEqual(['山田太郎', '田太郎', '太郎', '郎']);
  });

  it('breaks email addresses into the parts people type', () => {
    expect(emailTerms('Ada.Lovelace@Example.co.uk')).toEqual([
      'ada.lovelace@example.co.uk',
      'ada.lovelace',
      'example.co.uk',
      'ada',
      'lovelace',
      'example',
      'co',
      'uk',
    ]);
  });

  it('indexes international and national digit forms of a phone, with every suffix', () => {
    const terms = phoneTerms('+442071234567');
    expect(terms).toContain('442071234567');
    expect(terms).toContain('02071234567');
    expect(terms).toContain('71234567');
    expect(terms.every((t) => t.length >= 3)).toBe(true);
  });

  it('reads a query as a phone number when it is only digits and phone punctuation', () => {
    expect(analyzeQuery('+44 (20) 7123-4567')).toMatchObject({ phoneDigits: '442071234567', words: [] });
    expect(analyzeQuery('12')).toMatchObject({ words: [['12']] });
    expect(analyzeQuery("ada O'Brien")).toEqual({ whole: "ada o'brien", words: [['ada'], ['obrien']] });
    expect(analyzeQuery('example.com').words).toEqual([['example.com', 'examplecom']]);
    expect(analyzeQuery('  ')).toEqual({ whole: '', words: [] });
  });

  it('allows one typo from three letters and two from six', () => {
    expect([typoBudget('ab'), typoBudget('abc'), typoBudget('abcde'), typoBudget('abcdef')]).toEqual([0, 1, 1, 2]);
  });
});
