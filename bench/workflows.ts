/**
 * Workflows, measured two ways, each beside a floor from the same run:
 *
 * 1. Event → action visible: a contact is tagged, and a `tag_added → create_task` workflow's task
 *    exists. The floor is the pipeline's own write → consumer lag for the very same event: the
 *    field-history consumer, which makes one put, finishing with it.
 * 2. The scheduled evaluation of an `inactivity` trigger over 10,000 contacts of which N are due:
 *    the first evaluation (every due contact is a new run) and the next one (nothing new; the
 *    checkpoint narrows the selection). The floor is what any engine must do: select the same
 *    candidates through the search port, and make one conditional write per run.
 *
 *   node_modules/.bin/node bench/workflows.ts [--full]
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { startRuntime, type Runtime } from '../infra/local/runtime.ts';
import { ensureTable } from '../infra/local/table.ts';
import { createServices } from '../shared/app/services.ts';
import { createStore, dynamoClientConfig, type Store } from '../shared/store/client.ts';
import { ITEM_TYPES, keys } from '../shared/store/keys.ts';
import { fixedClock } from '../shared/domain/clock.ts';
import { newId } from '../shared/domain/ids.ts';
import { completenessOf, type Contact } from '../shared/domain/contact.ts';
import { candidateFilter } from '../shared/domain/workflow-triggers.ts';
import type { KithEvent } from '../shared/events/types.ts';
import { figure, runStandalone, type Figure } from './lib/figures.ts';
import { median, percentile, timed } from './lib/stats.ts';

const ACTOR = 'key:bench';
const DAY = 24 * 60 * 60 * 1000;
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

export async function run(options: { full: boolean }): Promise<Figure[]> {
  const dynamo = await startDynamoDbLocal();
  try {
    return [
      ...(await eventToAction(dynamo.endpoint, options.full ? 60 : 20)),
      ...(await scheduledEvaluation(dynamo.endpoint, 10_000, options.full ? [100, 1000] : [100])),
    ];
  } finally {
    await dynamo.stop();
  }
}

async function eventToAction(endpoint: string, samples: number): Promise<Figure[]> {
  let runtime: Runtime | undefined;
  try {
    runtime = await startRuntime({
      dynamoEndpoint: endpoint,
      tableName: `bench-${randomUUID()}`,
      port: 0,
      settings: { defaultPhoneRegion: 'US' },
      realTimeSchedules: false,
    });
    const { contacts, workflows } = runtime.services;
    await workflows.create(
      {
        name: 'bench',
        trigger: { type: 'tag_added', tag: 'bench' },
        actions: [{ type: 'create_task', title: 'Follow up {{firstName}}', dueInDays: 1, assignee: 'owner' }],
      },
      ACTOR,
    );
    // When each consumer finished with the event of a contact's version.
    const finished = new Map<string, number>();
    const waiting = new Map<string, () => void>();
    runtime.pipeline.observe({
      delivered: (target, payload) => {
        if (target.kind !== 'subscription') return;
        const { id, version } = (payload as KithEvent).detail;
        const key = `${target.name}:${id}:${version}`;
        finished.set(key, performance.now());
        waiting.get(key)?.();
      },
    });
    const done = (key: string) =>
      finished.has(key) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(key, resolve));

    const people = await Promise.all(
      Array.from({ length: samples }, (_, i) => contacts.create({ firstName: `Lead ${i}`, ownerId: 'rep-1' }, ACTOR)),
    );
    await runtime.pipeline.drain();

    const workflowLag: number[] = [];
    const historyLag: number[] = [];
    for (const person of people) {
      // Writes land at any moment of the poll cycle.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 100));
      const started = performance.now();
      const tagged = await contacts.tag(person.id, { add: ['bench'] }, ACTOR);
      const history = `field-history:${person.id}:${tagged.version}`;
      const workflow = `workflow-contact-changes:${person.id}:${tagged.version}`;
      await Promise.all([done(history), done(workflow)]);
      historyLag.push(finished.get(history)! - started);
      workflowLag.push(finished.get(workflow)! - started);
    }
    await runtime.pipeline.drain();
    const tasks = await runtime.services.tasks.list({ assigneeId: 'rep-1' }, { limit: 100 });
    if (tasks.results.length !== Math.min(samples, 100)) throw new Error('a workflow run made no task');
    return [
      figure(
        'tag → workflow task exists, p50',
        median(workflowLag),
        'ms',
        median(historyLag),
        'floor: the same event → history entry',
      ),
      figure('tag → workflow task exists, p95', percentile(workflowLag, 95), 'ms', percentile(historyLag, 95)),
    ];
  } finally {
    await runtime?.stop();
  }
}

async function scheduledEvaluation(endpoint: string, population: number, dueCounts: number[]): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const due of dueCounts) {
    const tableName = `bench-${randomUUID()}`;
    const admin = new DynamoDBClient(dynamoClientConfig({ endpoint }));
    await ensureTable(admin, tableName);
    admin.destroy();
    const store = createStore({ tableName, endpoint });
    const clock = fixedClock('2026-06-01T09:00:00.000Z');
    const services = createServices({ store, clock, settings: { defaultPhoneRegion: 'US' } });
    await loadContacts(store, population, due, clock.now());
    await services.search.reindex();
    const trigger = { type: 'inactivity' as const, days: 30 };
    await services.workflows.create({ name: 'quiet', trigger, actions: [{ type: 'add_tag', tag: 'quiet' }] }, ACTOR);
    // A running system has swept its due index before (a new table's first sweep looks back two hours).
    await services.workflowEngine.resumeStaleRuns();

    // Floor: the selection through the search port, then one conditional put per run.
    const selection = await timed(async () => {
      let found = 0;
      for await (const page of services.search.allMatching(candidateFilter(trigger, clock.now()), { pageSize: 100 })) {
        found += page.length;
      }
      return found;
    });
    if (selection.result !== due) throw new Error(`the selection found ${selection.result}, not ${due}`);
    const puts = await timed(() => conditionalPuts(store, due, 8));

    const first = await timed(() => services.workflowEngine.evaluateTimeTriggers());
    if (first.result.ran !== due) throw new Error(`the first evaluation ran ${first.result.ran}, not ${due}`);
    clock.advance(15 * 60_000);
    const next = await timed(() => services.workflowEngine.evaluateTimeTriggers());
    if (next.result.ran !== 0) throw new Error('the next evaluation ran again');
    store.db.destroy();

    figures.push(
      figure(
        `scheduled evaluation, ${population.toLocaleString('en')} contacts, ${due} due`,
        first.ms,
        'ms',
        selection.ms + puts.ms,
        'floor: select the same contacts + one conditional put per run',
      ),
      figure(`  … per run`, first.ms / due, 'ms', (selection.ms + puts.ms) / due),
      figure(
        `  … the next evaluation (nothing new)`,
        next.ms,
        'ms',
        null,
        'checkpoint: reads only what crossed the threshold since',
      ),
    );
  }
  return figures;
}

/** `population` contacts straight into the table: `due` of them silent for 60 days, the rest created today. */
async function loadContacts(store: Store, population: number, due: number, now: Date): Promise<void> {
  const items = Array.from({ length: population }, (_, i) => {
    const createdAt = new Date(now.getTime() - (i < due ? 60 : 1) * DAY).toISOString();
    const contact: Contact = {
      id: newId(Date.parse(createdAt)),
      version: 1,
      createdAt,
      updatedAt: createdAt,
      createdBy: ACTOR,
      updatedBy: ACTOR,
      status: 'active',
      firstName: `Person ${i}`,
      emails: [],
      phones: [],
      tags: [],
      customFields: {},
      completeness: 0,
    };
    contact.completeness = completenessOf(contact);
    return { ...contact, entityType: ITEM_TYPES.contact, ...keys.contact(contact.id), ...keys.contactList('active', contact.id) };
  });
  for (let start = 0; start < items.length; start += 25) {
    let pending = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await store.db.send(new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }));
      pending = (result.UnprocessedItems?.[store.tableName] ?? []) as typeof pending;
    }
  }
}

/** `count` conditional puts of new items, `concurrency` at a time: the write every run needs at least. */
async function conditionalPuts(store: Store, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await store.db.send(
        new PutCommand({
          TableName: store.tableName,
          Item: { pk: `BENCH#${i}`, sk: 'RUN', entityType: 'bench' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

await runStandalone({ run }, import.meta.url);
