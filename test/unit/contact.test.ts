import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { completenessOf, normalizeContact, patchContact, type Contact, type ContactRules } from '../../shared/domain/contact.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import type { FieldDefinitionInput } from '../../shared/domain/custom-fields.ts';

const definitions = new Map<string, FieldDefinitionInput>([
  ['contractEnd', { key: 'contractEnd', label: 'Contract end', type: 'date', required: false }],
  ['tier', { key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver'], required: false }],
  ['seats', { key: 'seats', label: 'Seats', type: 'number', required: false }],
]);
const rules: ContactRules = { definitions, defaultRegion: 'US' };

function errorsOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

function stored(input: unknown): Contact {
  const fields = normalizeContact(input, rules);
  return {
    ...fields,
    id: '01J00000000000000000000000',
    version: 3,
    createdAt: 'x',
    updatedAt: 'x',
    status: 'active',
    completeness: 0,
  };
}

describe('normalizeContact', () => {
  it('trims text, lower-cases emails, writes phones in E.164 and normalizes tags', () => {
    const contact = normalizeContact(
      {
        firstName: '  Ada  ',
        lastName: 'Lovelace',
        emails: [{ address: ' Ada@Example.COM ' }],
        phones: [{ number: '(415) 555-0100', label: 'work' }],
        tags: [' VIP ', 'vip', 'Early Adopter'],
      },
      rules,
    );
    expect(contact.firstName).toBe('Ada');
    expect(contact.emails).toEqual([{ address: 'ada@example.com', primary: true }]);
    expect(contact.phones).toEqual([{ number: '+14155550100', label: 'work', primary: true }]);
    expect(contact.tags).toEqual(['vip', 'early adopter']);
  });

  it('keeps the flagged primary email and drops repeated addresses', () => {
    const contact = normalizeContact(
      { emails: [{ address: 'a@x.io' }, { address: 'b@x.io', primary: true }, { address: 'A@x.io' }] },
      rules,
    );
    expect(contact.emails.map((e) => [e.address, e.primary])).toEqual([
      ['a@x.io', false],
      ['b@x.io', true],
    ]);
  });

  it('names every invalid field in one error', () => {
    const errors = errorsOf(() =>
      normalizeContact(
        { firstName: 'A', emails: [{ address: 'not-an-email' }], phones: [{ number: '12' }], birthday: '2023-02-30' },
        rules,
      ),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(['birthday', 'emails[0].address', 'phones[0].number']);
  });

  it('rejects unknown fields by name', () => {
    expect(errorsOf(() => normalizeContact({ firstName: 'A', favouriteColour: 'blue' }, rules))).toEqual([
      { path: 'favouriteColour', message: 'is not a known field' },
    ]);
  });

  it('rejects more than one primary email', () => {
    const errors = errorsOf(() =>
      normalizeContact(
        {
          emails: [
            { address: 'a@x.io', primary: true },
            { address: 'b@x.io', primary: true },
          ],
        },
        rules,
      ),
    );
    expect(errors).toEqual([{ path: 'emails', message: 'only one entry can be primary' }]);
  });

  it('needs a name, an email or a phone', () => {
    expect(errorsOf(() => normalizeContact({ jobTitle: 'CTO' }, rules))[0]?.message).toMatch(/at least a name/);
  });

  it('validates custom fields against their definitions and rejects unknown keys', () => {
    const errors = errorsOf(() =>
      normalizeContact({ firstName: 'A', customFields: { contractEnd: 'soon', tier: 'bronze', mood: 'happy' } }, rules),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(['customFields.contractEnd', 'customFields.mood', 'customFields.tier']);
  });

  it('requires required custom fields on create', () => {
    const strict = new Map(definitions).set('region', { key: 'region', label: 'Region', type: 'text', required: true });
    expect(errorsOf(() => normalizeContact({ firstName: 'A' }, { ...rules, definitions: strict }))).toEqual([
      { path: 'customFields.region', message: 'is required' },
    ]);
  });

  it('rejects time zones and countries that do not exist', () => {
    const errors = errorsOf(() =>
      normalizeContact({ firstName: 'A', timeZone: 'Mars/Olympus', address: { country: 'GBR' } }, rules),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(['address.country', 'timeZone']);
  });
});

describe('patchContact', () => {
  it('applies a JSON merge patch: null removes, objects merge, arrays replace', () => {
    const current = stored({
      firstName: 'Ada',
      lastName: 'Lovelace',
      address: { city: 'London', country: 'GB' },
      tags: ['a', 'b'],
    });
    const next = patchContact(current, { lastName: null, address: { city: 'Paris' }, tags: ['c'] }, rules);
    expect(next.lastName).toBeUndefined();
    expect(next.address).toEqual({ city: 'Paris', country: 'GB' });
    expect(next.tags).toEqual(['c']);
  });

  it('refuses read-only fields by name', () => {
    const current = stored({ firstName: 'Ada' });
    expect(errorsOf(() => patchContact(current, { id: 'other', version: 9 }, rules)).map((e) => e.path)).toEqual([
      'id',
      'version',
    ]);
  });

  it('checks only the custom fields the patch touches', () => {
    const current = { ...stored({ firstName: 'Ada' }), customFields: { retired: 'value of a deleted definition' } };
    expect(patchContact(current, { customFields: { seats: 3 } }, rules).customFields).toEqual({
      retired: 'value of a deleted definition',
      seats: 3,
    });
    expect(errorsOf(() => patchContact(current, { customFields: { seats: 'many' } }, rules))[0]?.path).toBe('customFields.seats');
  });

  it('an empty patch changes nothing (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          firstName: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
          tags: fc.array(fc.string({ maxLength: 10 })),
        }),
        (input) => {
          const current = stored(input);
          const { id: _i, version: _v, createdAt: _c, updatedAt: _u, status: _s, completeness: _p, ...fields } = current;
          expect(patchContact(current, {}, rules)).toEqual(fields);
        },
      ),
    );
  });
});

describe('completenessOf', () => {
  it('is 0 for a bare name and 1 for a full record', () => {
    expect(completenessOf(normalizeContact({ firstName: 'Ada' }, rules))).toBe(0);
    const full = normalizeContact(
      {
        firstName: 'Ada',
        lastName: 'Lovelace',
        emails: [{ address: 'ada@example.com' }],
        phones: [{ number: '+442071234567' }],
        companyId: '01J00000000000000000000000',
        jobTitle: 'CTO',
        address: { city: 'London' },
        lifecycleStage: 'customer',
        ownerId: 'u1',
        socialProfiles: { linkedin: 'https://linkedin.com/in/ada' },
      },
      rules,
    );
    expect(completenessOf(full)).toBe(1);
  });
});
