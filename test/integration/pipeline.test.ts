import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';
import { lambdaContext, type LocalHandler } from '../../infra/local/lambda.ts';
import { create as createHistoryConsumer } from '../../functions/history/app.ts';
import type { Services } from '../../shared/app/services.ts';
import type { HistoryEntity } from '../../shared/store/keys.ts';
import { HistoryRepository, type HistoryEntry } from '../../shared/store/history.ts';
import type { KithEvent } from '../../shared/events/types.ts';
import { dynamoEndpoint, freshServices } from '../helpers/store.ts';

const ACTOR = 'key:01JTEST0000000000000000000';

function start(): Promise<Runtime> {
  return startRuntime({
    dynamoEndpoint: dynamoEndpoint(),
    tableName: `pipeline-${randomUUID()}`,
    port: 0,
    settings: { defaultPhoneRegion: 'US' },
    authorizerCacheMs: 0,
  });
}

/** Every history entry of the entities an event stream mentions, newest first per entity. */
async function historyOf(services: Services, events: readonly KithEvent[]): Promise<Record<string, HistoryEntry[]>> {
  const entities = new Map(events.map((e) => [`${e.detail.entity}:${e.detail.id}`, e.detail]));
  const snapshot: Record<string, HistoryEntry[]> = {};
  for (const [key, { entity, id }] of entities) {
    if (entity !== 'contact' && entity !== 'company') continue;
    const entries: HistoryEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await services.history.list(entity as HistoryEntity, id, { limit: 3, cursor });
      entries.push(...page.results);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    snapshot[key] = entries;
  }
  return snapshot;
}

/** The history function as Lambda runs it, fed events `parallel` at a time. */
async function feed(services: Services, events: readonly KithEvent[], parallel = 1): Promise<void> {
  const handler = createHistoryConsumer(services);
  for (let i = 0; i < events.length; i += parallel) {
    await Promise.all(events.slice(i, i + parallel).map((event) => handler(structuredClone(event), lambdaContext('history'))));
  }
}

describe('field history, fed by the real change stream of DynamoDB Local', () => {
  let runtime: Runtime;
  const published: KithEvent[] = [];
  let adaId: string;
  let companyId: string;

  beforeAll(async () => {
    runtime = await start();
    runtime.pipeline.observe({ published: (events) => published.push(...events) });
    const { contacts, companies, fields } = runtime.services;
    await fields.create({ key: 'tier', label: 'Tier', type: 'text', required: false }, ACTOR);
    const ada = await contacts.create({ firstName: 'Ada', lastName: 'Lovelace', lifecycleStage: 'lead' }, ACTOR);
    adaId = ada.id;
    await contacts.update(ada.id, { jobTitle: 'Analyst' }, ACTOR);
    await contacts.update(
      ada.id,
      { lifecycleStage: 'customer', customFields: { tier: 'gold' } },
      'key:01JOTHER000000000000000000',
    );
    await contacts.tag(ada.id, { add: ['vip'] }, ACTOR);
    await contacts.update(ada.id, {}, ACTOR); // a save that changes nothing: an event, but no history
    await contacts.archive(ada.id, ACTOR);
    await contacts.restore(ada.id, ACTOR);
    await contacts.update(ada.id, { jobTitle: 'CTO', customFields: { tier: null } }, ACTOR);
    const company = await companies.create({ name: 'Analytical Engines', domain: 'engines.example' }, ACTOR);
    companyId = company.id;
    await companies.update(company.id, { industry: 'Machinery' }, ACTOR);
    await runtime.pipeline.drain();
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it('records who changed which field from what to what, newest first', async () => {
    const { results, nextCursor } = await runtime.services.history.list('contact', adaId, { limit: 25 });
    expect(nextCursor).toBeNull();
    expect(results.map((e) => [e.version, e.event])).toEqual([
      [8, 'contact.updated'],
      [7, 'contact.restored'],
      [6, 'contact.archived'],
      [4, 'contact.updated'],
      [3, 'contact.updated'],
      [2, 'contact.updated'],
      [1, 'contact.created'],
    ]);
    expect(results[0]!.changes).toEqual([
      { field: 'customFields.tier', from: 'gold' },
      { field: 'jobTitle', from: 'Analyst', to: 'CTO' },
    ]);
    expect(results[4]).toMatchObject({
      actor: 'key:01JOTHER000000000000000000',
      changes: [
        { field: 'customFields.tier', to: 'gold' },
        { field: 'lifecycleStage', from: 'lead', to: 'customer' },
      ],
    });
    expect(results[2]!.changes).toEqual([{ field: 'status', from: 'active', to: 'archived' }]);
    const company = await runtime.services.history.list('company', companyId, { limit: 25 });
    expect(company.results.map((e) => e.changes.map((c) => c.field))).toEqual([['industry'], ['domain', 'name', 'status']]);
  });

  it('publishes one event per entity write, in stream order, and none for claims or field definitions', () => {
    const ada = published.filter((e) => e.detail.id === adaId);
    expect(ada.map((e) => e.detail.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The one activity is the timeline's system entry for Ada's stage change (timeline-recorder).
    expect(new Set(published.map((e) => e.detail.entity))).toEqual(new Set(['contact', 'company', 'activity']));
    expect(published.filter((e) => e.detail.entity === 'activity').map((e) => e['detail-type'])).toEqual(['activity.logged']);
  });

  it('writes one entry when the same event arrives again, even at the same time', async () => {
    const services = await freshServices();
    const event = published.find((e) => e.detail.id === adaId && e.detail.version === 2)!;
    await feed(services, [event, event, event], 3);
    await feed(services, [{ ...event, id: randomUUID() }]); // a redelivery has a new envelope id, same eventId
    const entries = await new HistoryRepository(services.store).list('contact', adaId, { limit: 25 });
    expect(entries.results.map((e) => [e.version, e.eventId])).toEqual([[2, event.detail.eventId]]);
  });

  it('ends in the same state when the recorded stream is replayed duplicated, shuffled and in parallel', async () => {
    const inOrder = await freshServices();
    await feed(inOrder, published);
    const expected = await rawHistoryOf(inOrder, published);
    expect(expected).toEqual(await rawHistoryOf(runtime.services, published));
    const doubled = [...published, ...published];
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(doubled, { minLength: doubled.length }), async (replay) => {
        const services = await freshServices();
        await feed(services, replay, 4);
        expect(await rawHistoryOf(services, published)).toEqual(expected);
      }),
      { numRuns: 4 },
    );
  });
});

describe('field history through a merge', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await start();
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it("keeps both contacts' histories in the survivor, interleaved in time, with the merge itself", async () => {
    const { contacts, merges } = runtime.services;
    const survivor = await contacts.create({ firstName: 'Robert', lastName: 'Smith' }, ACTOR);
    const loser = await contacts.create({ firstName: 'Bob', lastName: 'Smith' }, ACTOR);
    await contacts.update(loser.id, { jobTitle: 'Engineer' }, ACTOR);
    await contacts.update(survivor.id, { jobTitle: 'CTO' }, ACTOR);
    await runtime.pipeline.drain();

    await merges.merge(survivor.id, loser.id, ACTOR);
    await runtime.pipeline.drain();

    const { results } = await runtime.services.history.list('contact', survivor.id, { limit: 25 });
    const story = results.map((e) => [e.entityId === survivor.id ? 'survivor' : 'loser', e.event]);
    expect(story).toContainEqual(['loser', 'contact.merged']);
    expect(story.filter(([who]) => who === 'loser').map(([, event]) => event)).toEqual([
      'contact.merged',
      'contact.updated',
      'contact.created',
    ]);
    expect(story.filter(([who]) => who === 'survivor')[0]).toEqual(['survivor', 'contact.updated']);
    const times = results.map((e) => e.occurredAt);
    expect(times).toEqual([...times].sort().reverse());
    expect((await runtime.services.deadLetters.list({ limit: 5 })).results).toEqual([]);
  });
});

/** History entries straight from the table, for replay tables that hold no contact profiles. */
async function rawHistoryOf(services: Services, events: readonly KithEvent[]): Promise<Record<string, HistoryEntry[]>> {
  const repository = new HistoryRepository(services.store);
  const facade = {
    history: {
      list: (entity: HistoryEntity, id: string, page: { limit: number; cursor?: string }) => repository.list(entity, id, page),
    },
  } as unknown as Services;
  return historyOf(facade, events);
}

describe('a consumer that fails mid-batch', () => {
  let runtime: Runtime;
  let original: LocalHandler;
  beforeAll(async () => {
    runtime = await start();
    original = runtime.handlers.history!;
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it('loses nothing: retries absorb flaky failures, dead letters keep the rest until a redrive', async () => {
    const { contacts } = runtime.services;
    const flaky = await contacts.create({ firstName: 'Flaky' }, ACTOR);
    const broken = await contacts.create({ firstName: 'Broken' }, ACTOR);
    await runtime.pipeline.drain();

    const attempts = new Map<string, number>();
    let outage = true;
    runtime.handlers.history = async (event, context) => {
      const { eventId, id } = (event as KithEvent).detail;
      attempts.set(eventId, (attempts.get(eventId) ?? 0) + 1);
      if (id === flaky.id && attempts.get(eventId) === 1) throw new Error('throttled');
      if (id === broken.id && outage) throw new Error('the history table is unavailable');
      return original(event, context);
    };
    // One burst of writes: the poller reads them in one page, one enrichment batch.
    for (const jobTitle of ['Analyst', 'Engineer', 'CTO']) {
      await contacts.update(flaky.id, { jobTitle }, ACTOR);
      await contacts.update(broken.id, { jobTitle }, ACTOR);
    }
    await runtime.pipeline.drain();

    const versions = async (id: string) =>
      (await runtime.services.history.list('contact', id, { limit: 25 })).results.map((e) => e.version);
    expect(await versions(flaky.id)).toEqual([4, 3, 2, 1]);
    expect(await versions(broken.id)).toEqual([1]);
    const letters = (await runtime.services.deadLetters.list({ limit: 25 })).results;
    expect(letters).toHaveLength(3);
    expect(letters.every((l) => l.attempts === 3 && l.target.name === 'field-history')).toBe(true);
    expect(letters[0]!.error.message).toBe('the history table is unavailable');
    expect(letters.map((l) => (l.payload as KithEvent).detail.version).sort()).toEqual([2, 3, 4]);

    outage = false;
    const report = await runtime.services.deadLetters.redrive();
    expect(report.redriven).toHaveLength(3);
    expect(report.failed).toEqual([]);
    expect(await versions(broken.id)).toEqual([4, 3, 2, 1]);
    expect((await runtime.services.deadLetters.list({ limit: 25 })).results).toEqual([]);
    runtime.handlers.history = original;
  });
});
