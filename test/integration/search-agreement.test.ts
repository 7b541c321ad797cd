import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Contact } from '../../shared/domain/contact.ts';
import { CONSENT_STATUSES, LIFECYCLE_STAGES } from '../../shared/domain/contact.ts';
import type { FieldDefinitionInput } from '../../shared/domain/custom-fields.ts';
import {
  compileFilter,
  compileSort,
  matchesFilter,
  sortValuesOf,
  compareSortValues,
  type Filter,
  type CompiledFilter,
} from '../../shared/domain/filter.ts';
import { EmbeddedContactIndex } from '../../shared/search/embedded.ts';
import type { ContactSearchIndex } from '../../shared/search/port.ts';
import { openSearchIndexFor, probeOpenSearch } from '../helpers/opensearch.ts';
import { storedContact } from '../helpers/contacts.ts';

/**
 * The three interpreters of the filter language agree: for random contacts and random filters,
 * the evaluator, the embedded index and OpenSearch select the same ids, in the same order.
 */
const DEFINITIONS: ReadonlyMap<string, FieldDefinitionInput> = new Map([
  ['tier', { key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver', 'Bronze'], required: false }],
  ['seats', { key: 'seats', label: 'Seats', type: 'number', required: false }],
  ['renewal', { key: 'renewal', label: 'Renewal', type: 'date', required: false }],
  ['trial', { key: 'trial', label: 'Trial', type: 'boolean', required: false }],
  ['note', { key: 'note', label: 'Note', type: 'text', required: false }],
  ['regions', { key: 'regions', label: 'Regions', type: 'multi_enum', options: ['emea', 'apac', 'amer'], required: false }],
]);
const NOW = new Date('2026-06-01T12:00:00Z');
const context = { now: NOW, definitions: DEFINITIONS, defaultRegion: 'US' as const };

const NAMES = [
  'Ada',
  'ada',
  'Adam',
  'José',
  'JOSE',
  'Zoë',
  'Zoe',
  "O'Brien",
  'Jean-Luc',
  '山田',
  'Иван',
  'Ångström',
  'Œuvre',
  'straße',
  '',
  ' ',
];
const TAGS = ['vip', 'ops', 'a', 'b', 'VIP'];
const NUMBERS = [-1.5, 0, 0.25, 1, 2, 10, 99.99, 1e9];
const DAYS = ['2025-12-31', '2026-01-01', '2026-05-02', '2026-06-01', '2026-07-01'];
const INSTANTS = [
  '2026-01-01T00:00:00.000Z',
  '2026-03-03T03:03:03.003Z',
  '2026-05-31T12:00:00.000Z',
  '2026-06-01T12:00:00.000Z',
  '2026-06-30T00:00:00.000Z',
];
const RELATIVE = ['now', 'now-1d', 'now-90d', 'now+30d', 'now-2w', 'now+6h', 'now-30m'];
const OWNERS = ['u1', 'u2', 'U1'];

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const contactArb: fc.Arbitrary<Contact> = fc
  .record({
    firstName: maybe(fc.constantFrom(...NAMES)),
    lastName: maybe(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 4 }))),
    tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
    emails: fc.uniqueArray(fc.constantFrom('ada@example.com', 'x@y.org', 'jose@ejemplo.es'), { maxLength: 2 }),
    lifecycleStage: maybe(fc.constantFrom(...LIFECYCLE_STAGES.slice(0, 3))),
    ownerId: maybe(fc.constantFrom(...OWNERS)),
    engagementScore: maybe(fc.constantFrom(...NUMBERS)),
    lastInteractionAt: maybe(fc.constantFrom(...INSTANTS)),
    birthday: maybe(fc.constantFrom(...DAYS)),
    country: maybe(fc.constantFrom('GB', 'FR', 'US')),
    tier: maybe(fc.constantFrom('gold', 'silver', 'Bronze')),
    seats: maybe(fc.oneof(fc.constantFrom(...NUMBERS), fc.constant('7' as unknown as number))),
    renewal: maybe(fc.constantFrom(...DAYS)),
    trial: maybe(fc.boolean()),
    note: maybe(fc.constantFrom(...NAMES)),
    regions: maybe(fc.uniqueArray(fc.constantFrom('emea', 'apac', 'amer'), { maxLength: 2 })),
    emailConsent: maybe(fc.record({ status: fc.constantFrom(...CONSENT_STATUSES), at: fc.constantFrom(...INSTANTS) })),
  })
  .map((r) =>
    storedContact({
      ...(r.firstName !== undefined ? { firstName: r.firstName } : {}),
      ...(r.lastName !== undefined ? { lastName: r.lastName } : {}),
      tags: r.tags,
      emails: r.emails.map((address, i) => ({ address, primary: i === 0 })),
      ...(r.lifecycleStage ? { lifecycleStage: r.lifecycleStage } : {}),
      ...(r.ownerId ? { ownerId: r.ownerId } : {}),
      ...(r.engagementScore !== undefined ? { engagementScore: r.engagementScore } : {}),
      ...(r.lastInteractionAt ? { lastInteractionAt: r.lastInteractionAt } : {}),
      ...(r.birthday ? { birthday: r.birthday } : {}),
      ...(r.country ? { address: { country: r.country } } : {}),
      ...(r.emailConsent ? { consent: { email: { ...r.emailConsent, source: 'form' } } } : {}),
      customFields: Object.fromEntries(
        Object.entries({
          tier: r.tier,
          seats: r.seats,
          renewal: r.renewal,
          trial: r.trial,
          note: r.note,
          regions: r.regions,
        }).filter(([, v]) => v !== undefined),
      ) as Contact['customFields'],
    }),
  );

const stringOps = ['eq', 'neq', 'in', 'nin', 'prefix', 'exists', 'missing'] as const;
const orderedOps = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'exists', 'missing', 'in', 'nin'] as const;

function conditionArb(
  field: string,
  ops: readonly string[],
  value: fc.Arbitrary<string | number | boolean>,
): fc.Arbitrary<Filter> {
  return fc.constantFrom(...ops).chain((op) => {
    if (op === 'exists' || op === 'missing') return fc.constant({ field, op } as Filter);
    if (op === 'in' || op === 'nin')
      return fc.array(value, { minLength: 1, maxLength: 3 }).map((v) => ({ field, op, value: v }) as Filter);
    if (op === 'between') return fc.tuple(value, value).map((v) => ({ field, op, value: v }) as Filter);
    return value.map((v) => ({ field, op, value: v }) as Filter);
  });
}

const names = fc.constantFrom(...NAMES.filter((n) => n.trim() !== ''), 'a', 'jo', 'Zo');
const dates = fc.constantFrom(...DAYS, ...INSTANTS, ...RELATIVE);
const leaf: fc.Arbitrary<Filter> = fc.oneof(
  conditionArb('firstName', stringOps, names),
  conditionArb('lastName', stringOps, names),
  conditionArb('tags', [...stringOps, 'contains'], fc.constantFrom(...TAGS)),
  conditionArb(
    'emails.address',
    [...stringOps, 'contains'],
    fc.constantFrom('ada@example.com', 'ADA@example.com', 'x@y.org', 'jo'),
  ),
  conditionArb(
    'lifecycleStage',
    ['eq', 'neq', 'in', 'nin', 'exists', 'missing'],
    fc.constantFrom(...LIFECYCLE_STAGES.slice(0, 3)),
  ),
  conditionArb('ownerId', stringOps, fc.constantFrom(...OWNERS, 'u')),
  conditionArb('address.country', stringOps, fc.constantFrom('gb', 'FR', 'G')),
  conditionArb('engagementScore', orderedOps, fc.constantFrom(...NUMBERS)),
  conditionArb('lastInteractionAt', orderedOps, dates),
  conditionArb('birthday', orderedOps, dates),
  conditionArb('customFields.tier', ['eq', 'neq', 'in', 'nin', 'exists', 'missing'], fc.constantFrom('gold', 'silver', 'Bronze')),
  conditionArb('customFields.seats', orderedOps, fc.constantFrom(...NUMBERS)),
  conditionArb('customFields.renewal', orderedOps, dates),
  conditionArb('customFields.trial', ['eq', 'neq', 'exists', 'missing'], fc.boolean()),
  conditionArb('customFields.note', stringOps, names),
  conditionArb('customFields.regions', ['contains', 'in', 'nin', 'exists', 'missing'], fc.constantFrom('emea', 'apac', 'amer')),
  conditionArb('consent.email.status', ['eq', 'neq', 'in', 'nin', 'exists', 'missing'], fc.constantFrom(...CONSENT_STATUSES)),
  conditionArb('consent.email.at', orderedOps, dates),
);
const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ node: Filter }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 5 },
    leaf,
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie('node').map((not) => ({ not })),
  ),
})).node;

const sortArb = fc.constantFrom(
  [{ field: 'engagementScore', order: 'asc' as const }],
  [{ field: 'firstName', order: 'desc' as const }],
  [
    { field: 'customFields.renewal', order: 'asc' as const },
    { field: 'lastName', order: 'asc' as const },
  ],
  [{ field: 'createdAt', order: 'desc' as const }],
  [
    { field: 'lastInteractionAt', order: 'desc' as const },
    { field: 'customFields.seats', order: 'desc' as const },
  ],
);

/** What the evaluator says a search returns: active matches, in the requested order. */
function expected(contacts: readonly Contact[], filter: CompiledFilter, sort: ReturnType<typeof compileSort>): string[] {
  return contacts
    .filter((c) => c.status === 'active' && matchesFilter(filter, c))
    .map((c) => ({ id: c.id, at: sortValuesOf(c, sort) }))
    .sort((a, b) => compareSortValues(a.at, b.at, sort))
    .map((c) => c.id);
}

async function agree(
  index: ContactSearchIndex,
  contacts: readonly Contact[],
  filters: readonly Filter[],
  sorts: readonly (readonly { field: string; order: 'asc' | 'desc' }[])[],
) {
  await index.apply(contacts.map((contact) => ({ id: contact.id, version: contact.version, contact })));
  await index.refresh();
  for (const [i, raw] of filters.entries()) {
    let filter;
    try {
      filter = compileFilter(raw, context);
    } catch (error) {
      throw new Error(`${JSON.stringify(raw)} does not compile: ${JSON.stringify((error as { errors?: unknown }).errors)}`);
    }
    const sort = compileSort(sorts[i % sorts.length]!, context);
    const page = await index.search({ filter, sort, limit: 200 });
    const ids = expected(contacts, filter, sort);
    expect(page.ids, JSON.stringify(raw)).toEqual(ids);
    expect(page.total).toBe(page.ids.length);
    if (i % 5 === 0) {
      // Cursor paging walks the same order, without gaps or repeats.
      const walked: string[] = [];
      let cursor: string | undefined;
      do {
        const next = await index.search({ filter, sort, limit: 7, ...(cursor ? { cursor } : {}) });
        walked.push(...next.ids);
        cursor = next.nextCursor ?? undefined;
      } while (cursor);
      expect(walked, `paging ${JSON.stringify(raw)}`).toEqual(ids);
    }
  }
}

const datasetArb = fc.record({
  contacts: fc
    .array(contactArb, { minLength: 1, maxLength: 40 })
    .map((cs) => cs.map((c, i) => (i % 7 === 3 ? { ...c, status: 'archived' as const } : c))),
  filters: fc.array(filterArb, { minLength: 80, maxLength: 80 }),
  sorts: fc.array(sortArb, { minLength: 1, maxLength: 3 }),
});

describe('the evaluator and the embedded index agree on random data', () => {
  it('selects and orders the same ids', async () => {
    await fc.assert(
      fc.asyncProperty(datasetArb, async ({ contacts, filters, sorts }) =>
        agree(new EmbeddedContactIndex(), contacts, filters, sorts),
      ),
      { numRuns: 40 },
    );
  });
});

const opensearch = await probeOpenSearch();
describe('the evaluator and OpenSearch agree on random data', () => {
  if (!opensearch.url) {
    it.skip(opensearch.skipReason, () => undefined);
    return;
  }
  it('selects and orders the same ids', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(datasetArb, async ({ contacts, filters, sorts }) => {
        const index = openSearchIndexFor(opensearch.url!, DEFINITIONS);
        try {
          await index.ensureReady();
          await agree(index, contacts, filters, sorts);
        } finally {
          await index.destroy();
          await index.close();
        }
      }),
      { numRuns: 10, endOnFailure: true },
    );
  });
});
