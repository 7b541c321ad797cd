import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact } from '../../shared/domain/contact.ts';
import type { FieldDefinitionInput } from '../../shared/domain/custom-fields.ts';
import { compileFilter, compileSort, type Filter, type SortKey } from '../../shared/domain/filter.ts';
import { fieldSpecOf } from '../../shared/domain/filter-fields.ts';
import { analyzeQuery } from '../../shared/domain/search-text.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import type { ContactSearchIndex, IndexSearch } from '../../shared/search/port.ts';
import { email, phone, storedContact } from './contacts.ts';

/**
 * The contract every search index adapter keeps (Powertools style: one suite, thin adapters).
 * Each adapter's test file calls it with a factory for a fresh, empty index.
 */
export const CONTRACT_DEFINITIONS: ReadonlyMap<string, FieldDefinitionInput> = new Map([
  ['tier', { key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver'], required: false }],
  ['seats', { key: 'seats', label: 'Seats', type: 'number', required: false }],
  ['renewal', { key: 'renewal', label: 'Renewal', type: 'date', required: false }],
]);

export const NOW = new Date('2026-06-01T12:00:00Z');
const context = { now: NOW, definitions: CONTRACT_DEFINITIONS, defaultRegion: 'GB' as const };

/** Names and numbers people really have, in the shapes that trip naive search up. */
export const PEOPLE = {
  ada: storedContact({
    firstName: 'Ada',
    lastName: 'Lovelace',
    emails: [email('ada.lovelace@example.com')],
    phones: [phone('+442071234567')],
  }),
  adam: storedContact({ firstName: 'Adam', lastName: 'Adamson', emails: [email('adam@adamson.org')] }),
  obrien: storedContact({ firstName: 'Conan', lastName: "O'Brien", emails: [email('conan@late.tv')] }),
  jeanluc: storedContact({ firstName: 'Jean-Luc', lastName: 'Picard', phones: [phone('+33142685300')] }),
  jose: storedContact({ firstName: 'José', lastName: 'Martínez', emails: [email('jose@ejemplo.es')] }),
  zoe: storedContact({ firstName: 'Zoë', lastName: 'Müller', tags: ['vip'] }),
  yamada: storedContact({ firstName: '太郎', lastName: '山田', nickname: '山田太郎' }),
  ivan: storedContact({ firstName: 'Иван', lastName: 'Петров', phones: [phone('+14155550100')] }),
  lovelace: storedContact({ firstName: 'Lovelace', lastName: 'Byron', emails: [email('lb@example.com')] }),
};

export function describeSearchIndexContract(
  name: string,
  factory: () => Promise<{ index: ContactSearchIndex; cleanup: () => Promise<void> }>,
): void {
  describe(`the search index contract: ${name}`, () => {
    let index: ContactSearchIndex;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ index, cleanup } = await factory());
      await index.ensureReady();
      await put(...Object.values(PEOPLE));
    });
    afterAll(async () => {
      await cleanup?.();
    });

    async function put(...contacts: Contact[]) {
      const report = await index.apply(contacts.map((contact) => ({ id: contact.id, version: contact.version, contact })));
      await index.refresh();
      return report;
    }

    async function find(query: string | undefined, filter?: Filter, sort?: SortKey[], limit = 50): Promise<string[]> {
      const page = await index.search(request({ query, filter, sort, limit }));
      return page.ids;
    }

    function request(options: {
      query?: string;
      filter?: Filter;
      sort?: SortKey[];
      limit?: number;
      cursor?: string;
    }): IndexSearch {
      const text = options.query === undefined ? undefined : analyzeQuery(options.query);
      return {
        filter: compileFilter(options.filter, context),
        sort: options.sort
          ? compileSort(options.sort, context)
          : text
            ? 'relevance'
            : compileSort([{ field: 'createdAt', order: 'asc' }], context),
        limit: options.limit ?? 50,
        ...(text ? { text } : {}),
        ...(options.cursor ? { cursor: options.cursor } : {}),
      };
    }

    describe('free text', () => {
      it('finds people by name prefixes across words ("ada lov")', async () => {
        expect(await find('ada lov')).toEqual([PEOPLE.ada.id]);
      });

      it('ranks the exact name first, then other matches of the word', async () => {
        const ids = await find('ada');
        expect(ids[0]).toBe(PEOPLE.ada.id);
        expect(ids).toContain(PEOPLE.adam.id);
        // "adam" is Adam's whole first name and only a typo away from nobody else's: exact beats prefix.
        expect((await find('adam'))[0]).toBe(PEOPLE.adam.id);
        expect(await find('lovelace byron')).toEqual([PEOPLE.lovelace.id]);
      });

      it('is accent-insensitive both ways ("jose" finds José, "zoë muller" finds Zoë Müller)', async () => {
        expect(await find('jose')).toEqual([PEOPLE.jose.id]);
        expect(await find('martinez')).toEqual([PEOPLE.jose.id]);
        expect(await find('zoë muller')).toEqual([PEOPLE.zoe.id]);
        expect(await find('ZOE MÜLLER')).toEqual([PEOPLE.zoe.id]);
      });

      it("reads apostrophes and hyphens in names as typed or not (O'Brien, obrien, Jean-Luc, jean luc)", async () => {
        expect(await find("o'brien")).toEqual([PEOPLE.obrien.id]);
        expect(await find('obrien')).toEqual([PEOPLE.obrien.id]);
        expect(await find('brien')).toEqual([PEOPLE.obrien.id]);
        expect(await find('jean-luc')).toEqual([PEOPLE.jeanluc.id]);
        expect(await find('jean luc picard')).toEqual([PEOPLE.jeanluc.id]);
        expect(await find('jeanluc')).toEqual([PEOPLE.jeanluc.id]);
      });

      it('finds names in non-Latin scripts, and any part of a name written without spaces', async () => {
        expect(await find('иван')).toEqual([PEOPLE.ivan.id]);
        expect(await find('Петр')).toEqual([PEOPLE.ivan.id]);
        expect(await find('山田')).toEqual([PEOPLE.yamada.id]);
        expect(await find('太郎')).toEqual([PEOPLE.yamada.id]);
      });

      it('tolerates a typo in a longer word', async () => {
        expect(await find('lovelase')).toContain(PEOPLE.ada.id);
        expect(await find('picrad')).toEqual([PEOPLE.jeanluc.id]);
      });

      it('does not match short words loosely', async () => {
        expect(await find('zz')).toEqual([]);
      });

      it('matches emails exactly and by fragments, and ranks an exact address first', async () => {
        expect(await find('ada.lovelace@example.com')).toEqual([PEOPLE.ada.id]);
        expect(await find('ada.lovelace@ex')).toEqual([PEOPLE.ada.id]);
        expect(await find('adamson.org')).toEqual([PEOPLE.adam.id]);
        expect(await find('ejemplo')).toEqual([PEOPLE.jose.id]);
        expect((await find('lb@example.com'))[0]).toBe(PEOPLE.lovelace.id);
      });

      it('matches phone numbers by digits in any format', async () => {
        expect(await find('+44 20 7123 4567')).toEqual([PEOPLE.ada.id]);
        expect(await find('+44 20 71')).toEqual([PEOPLE.ada.id]);
        expect(await find('020 7123 4567')).toEqual([PEOPLE.ada.id]);
        expect(await find('7123-4567')).toEqual([PEOPLE.ada.id]);
        expect(await find('(415) 555-0100')).toEqual([PEOPLE.ivan.id]);
        expect(await find('01 42 68 53 00')).toEqual([PEOPLE.jeanluc.id]);
      });

      it("finds people by their company's name", async () => {
        const grace = storedContact({ firstName: 'Grace', lastName: 'Worker' });
        await index.apply([{ id: grace.id, version: grace.version, contact: grace, companyName: 'Ångström Widgets Ltd' }]);
        await index.refresh();
        expect(await find('angstrom')).toEqual([grace.id]);
        expect(await find('widg')).toEqual([grace.id]);
        expect(await find('grace widgets')).toEqual([grace.id]);
      });

      it('combines text with a filter', async () => {
        expect(await find('zoe', { field: 'tags', op: 'contains', value: 'vip' })).toEqual([PEOPLE.zoe.id]);
        expect(await find('ada', { field: 'tags', op: 'contains', value: 'vip' })).toEqual([]);
      });
    });

    describe('versions and tombstones', () => {
      it('never lets an older or repeated version overwrite a newer one', async () => {
        const v3 = storedContact({ firstName: 'Grace', lastName: 'Hopper', version: 3 });
        expect((await put(v3)).written).toBe(1);
        const v2 = { ...v3, version: 2, lastName: 'Stale' };
        const report = await put(v2, v3);
        expect(report).toMatchObject({ written: 0, stale: 2 });
        expect(await find('hopper')).toEqual([v3.id]);
        expect(await find('stale')).toEqual([]);
      });

      it('removes archived, merged and deleted contacts, and keeps them out when older events arrive late', async () => {
        const archived = storedContact({ firstName: 'Archie', lastName: 'Vault', version: 1 });
        const merged = storedContact({ firstName: 'Mergatroyd', lastName: 'Vault', version: 1 });
        const deleted = storedContact({ firstName: 'Delia', lastName: 'Vault', version: 4 });
        await put(archived, merged, deleted);
        expect((await find('vault')).length).toBe(3);
        await index.apply([
          { id: archived.id, version: 2, contact: { ...archived, version: 2, status: 'archived' } },
          { id: merged.id, version: 2, contact: { ...merged, version: 2, status: 'merged', mergedInto: PEOPLE.ada.id } },
          { id: deleted.id, version: 5 },
        ]);
        await index.refresh();
        expect(await find('vault')).toEqual([]);
        // The late version-1 events of the first two, and version 4 of the deleted one, change nothing.
        const late = await put(archived, merged, deleted);
        expect(late).toMatchObject({ written: 0, stale: 3 });
        expect(await find('vault')).toEqual([]);
      });

      it('brings a restored contact back at its new version', async () => {
        const c = storedContact({ firstName: 'Lazarus', version: 1 });
        await put(c);
        await put({ ...c, version: 2, status: 'archived' });
        expect(await find('lazarus')).toEqual([]);
        await put({ ...c, version: 3, status: 'active' });
        expect(await find('lazarus')).toEqual([c.id]);
      });
    });

    describe('filters, sort, paging and facets', () => {
      const team = [
        storedContact({
          lastName: 'Team',
          tags: ['ops', 'vip'],
          lifecycleStage: 'lead',
          engagementScore: 10,
          customFields: { tier: 'gold', seats: 5, renewal: '2026-06-20' },
        }),
        storedContact({
          lastName: 'Team',
          tags: ['ops'],
          lifecycleStage: 'customer',
          engagementScore: 30,
          customFields: { tier: 'silver', seats: 50 },
        }),
        storedContact({
          lastName: 'Team',
          tags: ['ops'],
          lifecycleStage: 'lead',
          customFields: { tier: 'gold', renewal: '2027-01-01' },
        }),
        storedContact({
          lastName: 'Team',
          tags: ['ops', 'vip'],
          lifecycleStage: 'lead',
          engagementScore: 20,
          lastInteractionAt: '2026-05-30T00:00:00Z',
        }),
      ];
      const ops = { field: 'tags', op: 'contains', value: 'ops' } as const;
      beforeAll(async () => {
        await put(...team);
      });

      it('filters on core and typed custom fields, with relative dates', async () => {
        const ids = (f: Filter) => find(undefined, { and: [ops, f] });
        expect(await ids({ field: 'customFields.seats', op: 'gte', value: 10 })).toEqual([team[1]!.id]);
        expect(await ids({ field: 'customFields.renewal', op: 'lt', value: 'now+30d' })).toEqual([team[0]!.id]);
        expect(await ids({ field: 'customFields.tier', op: 'eq', value: 'gold' })).toEqual([team[0]!.id, team[2]!.id]);
        expect(await ids({ field: 'engagementScore', op: 'missing' })).toEqual([team[2]!.id]);
        expect(await ids({ field: 'lastInteractionAt', op: 'gte', value: 'now-7d' })).toEqual([team[3]!.id]);
        expect(await ids({ not: { field: 'lifecycleStage', op: 'in', value: ['lead'] } })).toEqual([team[1]!.id]);
      });

      it('sorts with missing values last in both orders and pages with cursors, without gaps or repeats', async () => {
        for (const order of ['asc', 'desc'] as const) {
          const sort: SortKey[] = [{ field: 'engagementScore', order }];
          const all = await find(undefined, ops, sort);
          const scored = team
            .filter((c) => c.engagementScore !== undefined)
            .sort((a, b) => (a.engagementScore! - b.engagementScore!) * (order === 'asc' ? 1 : -1));
          expect(all).toEqual([...scored.map((c) => c.id), team[2]!.id]);
          const seen: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await index.search(request({ filter: ops, sort, limit: 1, cursor }));
            seen.push(...page.ids);
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          expect(seen).toEqual(all);
        }
      });

      it('pages through dates, text and custom fields with missing values, in both orders', async () => {
        const keys: SortKey[][] = [
          [{ field: 'lastInteractionAt', order: 'asc' }],
          [{ field: 'lastInteractionAt', order: 'desc' }],
          [{ field: 'customFields.renewal', order: 'desc' }],
          [
            { field: 'customFields.seats', order: 'asc' },
            { field: 'lastName', order: 'desc' },
          ],
          [{ field: 'firstName', order: 'asc' }],
        ];
        for (const sort of keys) {
          const all = await find(undefined, ops, sort);
          expect(all.length, JSON.stringify(sort)).toBe(4);
          const seen: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await index.search(request({ filter: ops, sort, limit: 1, cursor }));
            seen.push(...page.ids);
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          expect(seen, JSON.stringify(sort)).toEqual(all);
        }
      });

      it('counts every match and its facet values, most frequent first', async () => {
        const page = await index.search({
          ...request({ filter: ops, limit: 1 }),
          facets: ['tags', 'lifecycleStage', 'customFields.tier'].map((path) => fieldSpecOf(path, CONTRACT_DEFINITIONS)!),
        });
        expect(page.total).toBe(4);
        expect(page.facets.tags).toEqual([
          { value: 'ops', count: 4 },
          { value: 'vip', count: 2 },
        ]);
        expect(page.facets.lifecycleStage).toEqual([
          { value: 'lead', count: 3 },
          { value: 'customer', count: 1 },
        ]);
        expect(page.facets['customFields.tier']).toEqual([
          { value: 'gold', count: 2 },
          { value: 'silver', count: 1 },
        ]);
      });

      it('refuses a cursor it did not issue, or one from a differently sorted search', async () => {
        const page = await index.search(request({ filter: ops, limit: 1 }));
        expect(page.nextCursor).not.toBeNull();
        await expect(index.search(request({ filter: ops, limit: 1, cursor: 'bm9wZQ' }))).rejects.toBeInstanceOf(ValidationError);
        await expect(
          index.search(
            request({ filter: ops, limit: 1, sort: [{ field: 'lastName', order: 'desc' }], cursor: page.nextCursor! }),
          ),
        ).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('rebuild', () => {
      it('replaces the whole index with what the scan yields, and keeps answering meanwhile', async () => {
        const survivor = storedContact({ firstName: 'Only', lastName: 'Survivor' });
        async function* scan() {
          yield [{ id: survivor.id, version: survivor.version, contact: survivor }];
        }
        const report = await index.rebuild(scan());
        expect(report).toMatchObject({ written: 1, stale: 0, rejected: [] });
        expect(await find(undefined)).toEqual([survivor.id]);
        expect(await find('survivor')).toEqual([survivor.id]);
        // Writes after the swap land in the new index.
        const after = storedContact({ firstName: 'After', lastName: 'Rebuild' });
        await put(after);
        expect(await find('rebuild')).toEqual([after.id]);
      });
    });
  });
}
