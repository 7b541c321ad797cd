import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { candidateFromVCard, foldLine, parseVCards, vcardOf } from '../../shared/domain/vcard.ts';
import type { Contact } from '../../shared/domain/contact.ts';

const contact = (fields: Partial<Contact>): Contact => ({
  id: '01J00000000000000000000000',
  version: 1,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-02T03:04:05.678Z',
  status: 'active',
  completeness: 0,
  emails: [],
  phones: [],
  tags: [],
  customFields: {},
  ...fields,
});

describe('writing vCards', () => {
  it('escapes text, structures N and ADR, and writes 4.0 dates and tel URIs', () => {
    const card = vcardOf(
      contact({
        firstName: 'Ada',
        lastName: 'King; Lovelace, Countess',
        emails: [{ address: 'ada@example.com', label: 'work', primary: true }],
        phones: [{ number: '+442079460000', label: 'mobile', primary: true }],
        birthday: '1815-12-10',
        jobTitle: 'Line one\nline two',
        tags: ['vip', 'a,b'],
      }),
      '4.0',
    );
    const lines = card.split('\r\n');
    expect(lines).toContain('N:King\\; Lovelace\\, Countess;Ada;;;');
    expect(lines).toContain('EMAIL;TYPE=work;PREF=1:ada@example.com');
    expect(lines).toContain('TEL;TYPE=cell;PREF=1;VALUE=uri:tel:+442079460000');
    expect(lines).toContain('BDAY:18151210');
    expect(lines).toContain('TITLE:Line one\\nline two');
    expect(lines).toContain('CATEGORIES:vip,a\\,b');
    expect(lines).toContain('REV:20240102T030405Z');
    expect(card.endsWith('END:VCARD\r\n')).toBe(true);
  });

  it('writes 3.0 types the way 3.0 readers expect them', () => {
    const card = vcardOf(
      contact({ emails: [{ address: 'a@b.org', label: 'home', primary: true }], birthday: '1990-01-02' }),
      '3.0',
    );
    expect(card).toContain('EMAIL;TYPE=internet,home,pref:a@b.org');
    expect(card).toContain('BDAY:1990-01-02');
  });

  it('folds every line at 75 octets without splitting a UTF-8 character, and unfolds back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const folded = foldLine(`NOTE:${text}`);
        for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
        expect(folded.replace(/\r\n /g, '')).toBe(`NOTE:${text}`);
      }),
    );
  });

  it('round-trips any text through escaping, folding and parsing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
        (title, last) => {
          const [card] = parseVCards(vcardOf(contact({ jobTitle: title, lastName: last }), '4.0'));
          const { input } = candidateFromVCard(card!);
          expect(input.jobTitle).toBe(title.replace(/\r\n|\r/g, '\n').trim() || undefined);
          expect(input.lastName).toBe(last.replace(/\r\n|\r/g, '\n').trim() || undefined);
        },
      ),
    );
  });
});

describe('reading vCards', () => {
  it('reads 2.1 quoted-printable, bare types and grouped properties', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;',
      'TEL;WORK;VOICE:+49 30 12345678',
      'item1.EMAIL;type=INTERNET;type=pref:juergen@example.de',
      'BDAY:--0415',
      'END:VCARD',
    ].join('\r\n');
    const [card] = parseVCards(text);
    const candidate = candidateFromVCard(card!);
    expect(candidate.input).toMatchObject({
      lastName: 'Müller',
      firstName: 'Jürgen',
      phones: [{ number: '+49 30 12345678', label: 'work' }],
      emails: [{ address: 'juergen@example.de', primary: true }],
    });
    expect(candidate.problems).toEqual([expect.objectContaining({ column: 'BDAY', severity: 'warning' })]);
  });

  it('finds several cards in one file and unfolds continuation lines', () => {
    const text =
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nNOTE:a long\r\n  note\r\nEND:VCARD\r\nBEGIN:VCARD\nVERSION:4.0\nFN:Alan\n  Turing\nEND:VCARD\n';
    const cards = parseVCards(text);
    expect(cards.map((c) => candidateFromVCard(c).input)).toEqual([
      { firstName: 'Grace', lastName: 'Hopper' },
      { firstName: 'Alan', lastName: 'Turing' },
    ]);
  });
});
