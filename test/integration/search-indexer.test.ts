import { afterAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../shared/app/services.ts';
import { EmbeddedContactIndex } from '../../shared/search/embedded.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';
import { create } from '../../functions/search-indexer/app.ts';
import { freshStore } from '../helpers/store.ts';
import { kithEvent } from '../helpers/events.ts';
import { probeOpenSearch } from '../helpers/opensearch.ts';
import { OpenSearchContactIndex } from '../../shared/search/opensearch.ts';
import { randomUUID } from 'node:crypto';

const opensearch = await probeOpenSearch();
const opened: OpenSearchContactIndex[] = [];
afterAll(async () => {
  for (const index of opened) {
    await index.destroy();
    await index.close();
  }
});

type IndexFactory = NonNullable<Parameters<typeof createServices>[0]['searchIndex']>;
const engines: { name: string; index: IndexFactory }[] = [
  { name: 'embedded', index: () => new EmbeddedContactIndex() },
  ...(opensearch.url
    ? [
        {
          name: 'OpenSearch (real node)',
          // The real adapter reads the live field definitions, as in production.
          index: ((fields) => {
            const index = new OpenSearchContactIndex({
              url: opensearch.url!,
              indexName: `test-${randomUUID()}`,
              definitions: () => fields.all(),
            });
            opened.push(index);
            return index;
          }) satisfies IndexFactory,
        },
      ]
    : []),
];

if (!opensearch.url) {
  describe('the search-indexer consumer on OpenSearch', () => {
    it.skip(opensearch.skipReason, () => undefined);
  });
}

for (const engine of engines) {
  describe(`the search-indexer consumer (${engine.name})`, () => {
    async function setUp() {
      const services = createServices({
        store: await freshStore(),
        settings: { defaultPhoneRegion: 'GB' },
        searchIndex: engine.index,
      });
      await services.search.prepare();
      const handler = create(services);
      const deliver = async (...events: ReturnType<typeof kithEvent>[]) => {
        for (const event of events) await handler(event, lambdaContext('search-indexer'));
        await services.search.index.refresh();
      };
      const find = async (query: string) => (await services.search.search({ query })).results.map((c) => c.id);
      return { services, deliver, find };
    }

    it('indexes a contact when its event arrives, and finds it by text and filter', async () => {
      const { services, deliver, find } = await setUp();
      const ada = await services.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', tags: ['vip'] }, 'test');
      expect(await find('ada')).toEqual([]);
      await deliver(kithEvent('contact.created', { entity: 'contact', id: ada.id, version: 1 }));
      expect(await find('ada')).toEqual([ada.id]);
      const vip = await services.search.search({ filter: { field: 'tags', op: 'contains', value: 'vip' } });
      expect(vip.results.map((c) => c.id)).toEqual([ada.id]);
    });

    it('never lets a late or repeated event overwrite newer data', async () => {
      const { services, deliver, find } = await setUp();
      const c = await services.contacts.create({ firstName: 'Grace', lastName: 'Brewster' }, 'test');
      await services.contacts.update(c.id, { lastName: 'Hopper' }, 'test');
      // The index holds version 2 (Hopper) first…
      await deliver(kithEvent('contact.updated', { entity: 'contact', id: c.id, version: 2 }));
      // …then version 1 arrives late. The consumer reads the record (version 2) and the index keeps it.
      await deliver(kithEvent('contact.created', { entity: 'contact', id: c.id, version: 1 }));
      await deliver(kithEvent('contact.updated', { entity: 'contact', id: c.id, version: 2 }));
      expect(await find('hopper')).toEqual([c.id]);
      expect(await find('brewster')).toEqual([]);
      // Even a write of the stale record itself is refused: the index holds a newer version.
      const report = await services.search.index.apply([{ id: c.id, version: 1, contact: { ...c, lastName: 'Brewster' } }]);
      expect(report).toMatchObject({ written: 0, stale: 1 });
      await services.search.index.refresh();
      expect(await find('brewster')).toEqual([]);
    });

    it('drops archived and deleted contacts from results, for good, and brings restored ones back', async () => {
      const { services, deliver, find } = await setUp();
      const c = await services.contacts.create({ firstName: 'Archibald', lastName: 'Gone' }, 'test');
      await deliver(kithEvent('contact.created', { entity: 'contact', id: c.id, version: 1 }));
      await services.contacts.archive(c.id, 'test');
      await deliver(kithEvent('contact.archived', { entity: 'contact', id: c.id, version: 2 }));
      expect(await find('archibald')).toEqual([]);
      // The version-1 event again, much later: the tombstone (a document, not a delete) still wins.
      const stale = await services.search.index.apply([{ id: c.id, version: 1, contact: c }]);
      expect(stale.stale).toBe(1);
      await services.contacts.restore(c.id, 'test');
      await deliver(kithEvent('contact.restored', { entity: 'contact', id: c.id, version: 3 }));
      expect(await find('archibald')).toEqual([c.id]);
      // A contact whose record is gone is tombstoned above the event's version.
      const gone = { id: '01J00000000000000000000000', version: 7 };
      await services.search.index.apply([{ ...gone, contact: { ...c, id: gone.id, version: 7 } }]);
      await deliver(kithEvent('contact.deleted', { entity: 'contact', ...gone }));
      expect(await find('archibald')).toEqual([c.id]);
    });

    it("re-indexes a company's members when the company changes, and old events cannot undo it", async () => {
      const { services, deliver, find } = await setUp();
      const acme = await services.companies.create({ name: 'Acme Rockets' }, 'test');
      const wile = await services.contacts.create({ firstName: 'Wile', lastName: 'Coyote', companyId: acme.id }, 'test');
      await deliver(kithEvent('contact.created', { entity: 'contact', id: wile.id, version: 1 }));
      expect(await find('rockets')).toEqual([wile.id]);
      await services.companies.update(acme.id, { name: 'Acme Anvils' }, 'test');
      await deliver(kithEvent('company.updated', { entity: 'company', id: acme.id, version: 2 }));
      expect(await find('anvils')).toEqual([wile.id]);
      expect(await find('rockets')).toEqual([]);
      // The contact's own (older) event again: it reads the current company, so nothing regresses.
      await deliver(kithEvent('contact.created', { entity: 'contact', id: wile.id, version: 1 }));
      expect(await find('anvils')).toEqual([wile.id]);
    });

    it('ignores events of other entities', async () => {
      const { deliver } = await setUp();
      await expect(deliver(kithEvent('task.created', { entity: 'task', id: 'x', version: 1 }))).resolves.toBeUndefined();
    });
  });
}
