import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileFilter, compileSort, contactMatches, matchesFilter, type Filter } from '../../shared/domain/filter.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import type { FieldDefinitionInput } from '../../shared/domain/custom-fields.ts';
import { email, phone, storedContact } from '../helpers/contacts.ts';

const definitions: ReadonlyMap<string, FieldDefinitionInput> = new Map([
  ['contractEnd', { key: 'contractEnd', label: 'Contract end', type: 'date', required: false }],
  ['tier', { key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver'], required: false }],
  ['nps', { key: 'nps', label: 'NPS', type: 'number', required: false }],
]);
const context = { now: new Date('2026-06-01T12:00:00Z'), definitions, defaultRegion: 'GB' as const };
const matches = (filter: Filter, contact = ada) => contactMatches(filter, contact, context);
const pathsOf = (filter: unknown) => {
  try {
    compileFilter(filter, context);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.errors.map((e) => e.path);
  }
};

const ada = storedContact({
  firstName: 'Zoë',
  lastName: "O'Brien",
  emails: [email('zoe@example.com'), { address: 'z@work.example', primary: false }],
  phones: [phone('+442071234567')],
  tags: ['vip', 'ops'],
  lifecycleStage: 'lead',
  engagementScore: 40,
  lastInteractionAt: '2026-05-01T00:00:00.000Z',
  address: { country: 'GB' },
  customFields: { contractEnd: '2026-06-20', tier: 'gold' },
});

describe('the filter language', () => {
  it('compares text case- and accent-insensitively, exactly or by prefix', () => {
    expect(matches({ field: 'firstName', op: 'eq', value: 'ZOE' })).toBe(true);
    expect(matches({ field: 'lastName', op: 'prefix', value: "o'b" })).toBe(true);
    expect(matches({ field: 'lastName', op: 'prefix', value: 'brien' })).toBe(false);
  });

  it('normalizes values like the field stores them: emails lower-cased, phones to E.164, countries upper-cased', () => {
    expect(matches({ field: 'emails.address', op: 'contains', value: 'Z@Work.Example' })).toBe(true);
    expect(matches({ field: 'phones.number', op: 'eq', value: '020 7123 4567' })).toBe(true);
    expect(matches({ field: 'address.country', op: 'eq', value: 'gb' })).toBe(true);
  });

  it('matches a list when any value does; neq, nin and missing hold for a contact without the field', () => {
    expect(matches({ field: 'tags', op: 'in', value: ['x', 'ops'] })).toBe(true);
    expect(matches({ field: 'tags', op: 'nin', value: ['ops'] })).toBe(false);
    const bare = storedContact({ firstName: 'Bare' });
    expect(matches({ field: 'lifecycleStage', op: 'neq', value: 'lead' }, bare)).toBe(true);
    expect(matches({ field: 'tags', op: 'missing' }, bare)).toBe(true);
    expect(matches({ field: 'engagementScore', op: 'lt', value: 100 }, bare)).toBe(false);
  });

  it('resolves relative dates through the clock, in minutes, hours, days and weeks', () => {
    expect(matches({ field: 'lastInteractionAt', op: 'lt', value: 'now-30d' })).toBe(true);
    expect(matches({ field: 'lastInteractionAt', op: 'lt', value: 'now-4w' })).toBe(true);
    expect(matches({ field: 'lastInteractionAt', op: 'lt', value: 'now-5w' })).toBe(false);
    expect(matches({ field: 'customFields.contractEnd', op: 'between', value: ['now', 'now+30d'] })).toBe(true);
    expect(matches({ field: 'lastInteractionAt', op: 'gte', value: 'now-768h' })).toBe(true);
    expect(matches({ field: 'lastInteractionAt', op: 'gte', value: 'now-46080m' })).toBe(true);
  });

  it('nests and, or and not', () => {
    const filter: Filter = {
      and: [
        {
          or: [
            { field: 'tags', op: 'contains', value: 'nope' },
            { field: 'customFields.tier', op: 'eq', value: 'gold' },
          ],
        },
        { not: { field: 'engagementScore', op: 'between', value: [0, 39] } },
      ],
    };
    expect(matches(filter)).toBe(true);
    expect(matchesFilter(compileFilter(undefined, context), ada)).toBe(true);
  });

  it('names the offending path of every invalid node', () => {
    expect(
      pathsOf({
        and: [
          { field: 'tags', op: 'contains', value: 'vip' },
          { field: 'tags', op: 'like', value: 'x' },
        ],
      }),
    ).toEqual(['filter.and[1].op']);
    expect(pathsOf({ or: [] })).toEqual(['filter.or']);
    expect(pathsOf({ field: 'customFields.unknown', op: 'eq', value: 1 })).toEqual(['filter.field']);
    expect(pathsOf({ field: 'nope', op: 'eq', value: 1 })).toEqual(['filter.field']);
    expect(pathsOf({ not: { field: 'firstName', op: 'gt', value: 'a' } })).toEqual(['filter.not.op']);
    expect(pathsOf({ field: 'firstName', op: 'contains', value: 'a' })).toEqual(['filter.op']);
    expect(pathsOf({ field: 'tags', op: 'exists', value: 1 })).toEqual(['filter.value']);
    expect(pathsOf({ field: 'engagementScore', op: 'in', value: [1, 'x'] })).toEqual(['filter.value[1]']);
    expect(pathsOf({ field: 'lifecycleStage', op: 'eq', value: 'king' })).toEqual(['filter.value']);
    expect(pathsOf({ field: 'customFields.tier', op: 'eq', value: 'bronze' })).toEqual(['filter.value']);
    expect(pathsOf({ field: 'createdAt', op: 'gt', value: 'yesterday' })).toEqual(['filter.value']);
    expect(pathsOf({ field: 'tags', op: 'eq', value: 'x', extra: 1 })).toEqual(['filter.extra']);
    expect(pathsOf({ and: [{ field: 'tags', op: 'exists' }], or: [] })).toEqual(['filter']);
  });

  it('bounds how large and how deep a filter may be', () => {
    let deep: Filter = { field: 'tags', op: 'exists' };
    for (let i = 0; i < 20; i++) deep = { not: deep };
    expect(pathsOf(deep).length).toBe(1);
    const wide = { or: Array.from({ length: 150 }, () => ({ field: 'tags', op: 'exists' })) };
    expect(pathsOf(wide).length).toBeGreaterThan(0);
  });

  it('answers any JSON with a compiled filter or a ValidationError, nothing else', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        pathsOf(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts only on single-valued fields', () => {
    expect(compileSort([{ field: 'customFields.nps', order: 'desc' }], context)[0]!.field.docField).toBe('custom_num.nps');
    expect(() => compileSort([{ field: 'tags', order: 'asc' }], context)).toThrow(ValidationError);
  });
});
