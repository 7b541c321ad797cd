import { describe, expect, it } from 'vitest';
import { matchesPattern, patternErrors, type EventPattern } from '../../shared/events/pattern.ts';
import { subscriptions } from '../../infra/topology.ts';
import { assertValidSubscriptions } from '../../infra/local/event-bus.ts';

const event = {
  version: '0',
  id: 'e1',
  'detail-type': 'contact.updated',
  source: 'kith',
  account: '000000000000',
  time: '2026-03-02T09:00:00.000Z',
  region: 'local',
  resources: [],
  detail: {
    entity: 'contact',
    id: '01J',
    version: 3,
    changedFields: ['jobTitle', 'lifecycleStage'],
    actor: 'key:01J',
    data: { from: 'lead', to: 'customer', mergedInto: null, score: 0.75, address: { city: 'London' } },
    emails: [
      { address: 'ada@example.com', primary: true },
      { address: 'ada@work.example', primary: false },
    ],
  },
};

const matches = (pattern: EventPattern, target: unknown = event) => matchesPattern(pattern, target);

describe('event patterns, with EventBridge semantics', () => {
  it('matches source and detail-type by exact value', () => {
    expect(matches({ source: ['kith'], 'detail-type': ['contact.updated'] })).toBe(true);
    expect(matches({ source: ['Kith'] })).toBe(false);
    expect(matches({ 'detail-type': ['contact.created'] })).toBe(false);
  });

  it('treats the values listed for a field as alternatives and the fields as all required', () => {
    expect(matches({ 'detail-type': ['contact.created', 'contact.updated'] })).toBe(true);
    expect(matches({ source: ['kith'], 'detail-type': ['contact.created'] })).toBe(false);
  });

  it('matches nested detail fields, at any depth', () => {
    expect(matches({ detail: { entity: ['contact'], data: { to: ['customer'], address: { city: ['London'] } } } })).toBe(true);
    expect(matches({ detail: { data: { address: { city: ['Paris'] } } } })).toBe(false);
  });

  it('matches an array-valued event field when any element matches', () => {
    expect(matches({ detail: { changedFields: ['lifecycleStage'] } })).toBe(true);
    expect(matches({ detail: { changedFields: ['emails', 'jobTitle'] } })).toBe(true);
    expect(matches({ detail: { changedFields: ['emails'] } })).toBe(false);
    expect(matches({ detail: { changedFields: [{ prefix: 'life' }] } })).toBe(true);
  });

  it('requires the fields of a nested pattern to hold within one array element', () => {
    expect(matches({ detail: { emails: { address: ['ada@example.com'], primary: [true] } } })).toBe(true);
    expect(matches({ detail: { emails: { address: ['ada@work.example'], primary: [true] } } })).toBe(false);
  });

  it('compares numbers as numbers and never a string with a number', () => {
    expect(matches({ detail: { version: [3] } })).toBe(true);
    expect(matches({ detail: { version: ['3'] } })).toBe(false);
    expect(matches({ detail: { version: [{ numeric: ['=', 3] }] } })).toBe(true);
    expect(matches({ detail: { version: [{ numeric: ['=', 3.0] }] } })).toBe(true);
    expect(matches({ detail: { version: [{ numeric: ['>', 0, '<=', 3] }] } })).toBe(true);
    expect(matches({ detail: { version: [{ numeric: ['>', 3] }] } })).toBe(false);
    expect(matches({ detail: { data: { score: [{ numeric: ['>=', 0.5] }] } } })).toBe(true);
    expect(matches({ detail: { entity: [{ numeric: ['>', 0] }] } })).toBe(false);
  });

  it('matches prefixes and suffixes of strings only', () => {
    expect(matches({ 'detail-type': [{ prefix: 'contact.' }] })).toBe(true);
    expect(matches({ 'detail-type': [{ prefix: 'company.' }] })).toBe(false);
    expect(matches({ 'detail-type': [{ suffix: '.updated' }] })).toBe(true);
    expect(matches({ detail: { version: [{ prefix: '3' }] } })).toBe(false);
    expect(matches({ source: [{ 'equals-ignore-case': 'KITH' }] })).toBe(true);
  });

  it('supports anything-but with a value, a list and a prefix', () => {
    expect(matches({ 'detail-type': [{ 'anything-but': 'contact.deleted' }] })).toBe(true);
    expect(matches({ 'detail-type': [{ 'anything-but': 'contact.updated' }] })).toBe(false);
    expect(matches({ 'detail-type': [{ 'anything-but': ['contact.deleted', 'company.deleted'] }] })).toBe(true);
    expect(matches({ 'detail-type': [{ 'anything-but': ['contact.updated', 'contact.deleted'] }] })).toBe(false);
    expect(matches({ 'detail-type': [{ 'anything-but': { prefix: 'company.' } }] })).toBe(true);
    expect(matches({ 'detail-type': [{ 'anything-but': { prefix: 'contact.' } }] })).toBe(false);
    expect(matches({ detail: { version: [{ 'anything-but': [1, 2] }] } })).toBe(true);
    expect(matches({ detail: { version: [{ 'anything-but': 3 }] } })).toBe(false);
  });

  it('never matches a missing field with anything-but: that takes exists: false', () => {
    expect(matches({ detail: { ownerId: [{ 'anything-but': 'someone' }] } })).toBe(false);
    expect(matches({ detail: { ownerId: [{ exists: false }] } })).toBe(true);
  });

  it('matches anything-but on an array field when any element is outside the list', () => {
    expect(matches({ detail: { changedFields: [{ 'anything-but': ['jobTitle'] }] } })).toBe(true);
    expect(matches({ detail: { changedFields: [{ 'anything-but': ['jobTitle', 'lifecycleStage'] }] } })).toBe(false);
  });

  it('tells a missing field from a present one with exists', () => {
    expect(matches({ detail: { actor: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { actor: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { ownerId: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: { nothing: { deeper: [{ exists: false }] } } })).toBe(true);
  });

  it('counts null as a present value and an empty array as no value', () => {
    expect(matches({ detail: { data: { mergedInto: [null] } } })).toBe(true);
    expect(matches({ detail: { data: { mergedInto: [{ exists: true }] } } })).toBe(true);
    expect(matches({ detail: { data: { from: [null] } } })).toBe(false);
    expect(matches({ resources: [{ exists: false }] })).toBe(true);
    expect(matches({ resources: [{ exists: true }] })).toBe(false);
  });

  it('applies matchers to leaves only: an object counts as absent', () => {
    expect(matches({ detail: { data: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: { data: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { data: ['lead'] } })).toBe(false);
  });

  it('lets an exists: false pattern be satisfied by one array element', () => {
    const withList = { detail: { items: [{ a: 1 }, { a: 2, b: 3 }] } };
    expect(matches({ detail: { items: { a: [{ exists: true }], b: [{ exists: false }] } } }, withList)).toBe(true);
    expect(matches({ detail: { items: { a: [2], b: [{ exists: false }] } } }, withList)).toBe(false);
  });
});

describe('pattern validation', () => {
  it('accepts every subscription of the topology', () => {
    expect(() => assertValidSubscriptions(subscriptions)).not.toThrow();
    for (const subscription of subscriptions) expect(patternErrors(subscription.pattern), subscription.name).toEqual([]);
  });

  it('names what EventBridge would refuse', () => {
    expect(patternErrors({ source: 'kith' })).toEqual(['source must be a list of values or a nested pattern, not "kith"']);
    expect(patternErrors({ source: [] })).toEqual(['source must list at least one value']);
    expect(patternErrors({ detail: { x: [{ wildcard: 'a*' }] } })).toEqual([
      "detail.x[0] uses wildcard, which Kith's patterns do not support",
    ]);
    expect(patternErrors({ x: [{ 'anything-but': ['a', 1] }] })).toEqual([
      'x[0].anything-but must list only strings or only numbers',
    ]);
    expect(patternErrors({ x: [{ numeric: ['>'] }] })).toHaveLength(1);
    expect(patternErrors({ x: [{ exists: 'yes' }] })).toHaveLength(1);
    expect(patternErrors({})).toEqual(['pattern must name at least one field']);
  });

  it('refuses duplicate names and unknown functions', () => {
    const field = subscriptions[0]!;
    expect(() => assertValidSubscriptions([field, field])).toThrow(/used twice/);
    expect(() => assertValidSubscriptions([{ ...field, function: 'nope' as never }])).toThrow(/no function nope/);
  });

  it('routes the field-history subscription to every contact and company event but deletions', () => {
    const history = subscriptions.find((s) => s.name === 'field-history')!;
    const of = (type: string, entity: string) => ({ ...event, 'detail-type': type, detail: { ...event.detail, entity } });
    expect(matchesPattern(history.pattern, of('contact.updated', 'contact'))).toBe(true);
    expect(matchesPattern(history.pattern, of('company.archived', 'company'))).toBe(true);
    expect(matchesPattern(history.pattern, of('contact.deleted', 'contact'))).toBe(false);
    expect(matchesPattern(history.pattern, of('task.reminder_due', 'task'))).toBe(false);
  });
});
