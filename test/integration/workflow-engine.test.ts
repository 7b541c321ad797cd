import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshStore } from '../helpers/store.ts';
import { changeEvent } from '../helpers/events.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { createServices, type Services } from '../../shared/app/services.ts';
import { fixedClock } from '../../shared/domain/clock.ts';
import { LIMITS } from '../../shared/domain/limits.ts';
import type { Contact } from '../../shared/domain/contact.ts';
import type { WorkflowRunView } from '../../shared/app/workflows.ts';
import type { KithEvent } from '../../shared/events/types.ts';

/**
 * The engine against DynamoDB Local, fed real events (made by the real translator) in whatever
 * order and as often as the tests like: what at-least-once, any-order delivery can do to it.
 */
const ACTOR = 'key:01JTEST0000000000000000000';
const DAY = 24 * 60 * 60 * 1000;
const clock = fixedClock('2026-03-02T09:00:00.000Z');
let services: Services;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.stop();
});
beforeEach(async () => {
  clock.set('2026-03-02T09:00:00.000Z');
  receiver.received.length = 0;
  receiver.answerWith(204);
  services = createServices({
    // With its stream, as in production: on a stream-less table DynamoDB Local's faster writes
    // let two concurrent start transactions both create the same run now and then (README, Limits).
    store: await freshStore({ stream: true }),
    clock,
    settings: { defaultPhoneRegion: 'US', allowPrivateWebhookTargets: true },
  });
  // A running system has swept before: the first sweep of a new table looks back only so far.
  await services.workflowEngine.resumeStaleRuns();
  vi.restoreAllMocks();
});

const engine = () => services.workflowEngine;

async function workflow(body: Record<string, unknown>) {
  return services.workflows.create({ name: 'test', ...body }, ACTOR);
}

/** Creates a contact, indexes it (no pipeline here) and returns it with its contact.created event. */
async function createContact(input: Record<string, unknown>): Promise<{ contact: Contact; event: KithEvent }> {
  const contact = await services.contacts.create(input, ACTOR);
  await services.search.indexContact(contact.id, contact.version);
  return { contact, event: changeEvent('contact', undefined, contact) };
}

/** Applies a write to a contact and returns the event the change stream would publish for it. */
async function change(id: string, write: () => Promise<unknown>): Promise<KithEvent> {
  const before = await services.contacts.repository.require(id);
  await write();
  const after = await services.contacts.repository.require(id);
  await services.search.indexContact(id, after.version);
  return changeEvent('contact', before, after);
}

async function allRuns(workflowId: string): Promise<WorkflowRunView[]> {
  const runs: WorkflowRunView[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.workflows.runsOf(workflowId, { limit: 3, cursor });
    runs.push(...page.results);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return runs;
}

async function tasksOf(contactId: string) {
  return (await services.tasks.list({ contactId }, { limit: 100 })).results;
}

async function notesOf(contactId: string) {
  return (await services.timeline.list(contactId, { limit: 100 })).results.filter((a) => a.kind === 'note');
}

/** A reproducible shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('exactly once per (workflow, contact, event)', () => {
  it('makes one run per matching event however often and in whatever order events arrive', async () => {
    const vip = await workflow({
      trigger: { type: 'tag_added', tag: 'vip' },
      actions: [
        { type: 'create_task', title: 'Welcome {{firstName}}', dueInDays: 1, assignee: 'owner' },
        { type: 'log_activity', kind: 'note', text: 'Became a VIP' },
      ],
    });
    const promoted = await workflow({
      trigger: { type: 'field_changed', field: 'jobTitle', to: 'CEO' },
      actions: [{ type: 'add_tag', tag: 'exec' }],
    });
    const events: KithEvent[] = [];
    const people: Contact[] = [];
    for (const name of ['Ada', 'Grace', 'Hedy']) {
      const { contact, event } = await createContact({ firstName: name, ownerId: 'rep-1' });
      people.push(contact);
      events.push(event);
      events.push(await change(contact.id, () => services.contacts.tag(contact.id, { add: ['vip'] }, ACTOR)));
      events.push(await change(contact.id, () => services.contacts.update(contact.id, { jobTitle: 'CEO' }, ACTOR)));
      events.push(await change(contact.id, () => services.contacts.tag(contact.id, { add: ['newsletter'] }, ACTOR)));
    }

    // Every event three times, shuffled, delivered four at a time (duplicates race each other).
    const deliveries = shuffled([...events, ...events, ...events], 20260302);
    for (let i = 0; i < deliveries.length; i += 4) {
      await Promise.all(deliveries.slice(i, i + 4).map((event) => engine().onContactChange(event)));
    }

    const vipRuns = await allRuns(vip.id);
    expect(vipRuns).toHaveLength(3);
    expect(new Set(vipRuns.map((run) => run.contactId))).toEqual(new Set(people.map((p) => p.id)));
    expect(vipRuns.every((run) => run.status === 'succeeded' && run.outcomes.length === 2)).toBe(true);
    expect(await allRuns(promoted.id)).toHaveLength(3);
    for (const person of people) {
      expect((await tasksOf(person.id)).map((t) => [t.title, t.assigneeId])).toEqual([[`Welcome ${person.firstName}`, 'rep-1']]);
      expect((await notesOf(person.id)).map((n) => n.body)).toEqual(['Became a VIP']);
      expect((await services.contacts.get(person.id)).tags.sort()).toEqual(['exec', 'newsletter', 'vip']);
    }
  });

  it('completes a run that crashed between two actions on the redelivery, without doing the first again', async () => {
    const flow = await workflow({
      trigger: { type: 'tag_added', tag: 'renewal' },
      actions: [
        { type: 'create_task', title: 'Prepare the renewal', dueInDays: 3, assignee: 'rep-2' },
        { type: 'log_activity', kind: 'note', text: 'Renewal workflow started' },
        { type: 'webhook', url: receiver.url },
      ],
    });
    const { contact } = await createContact({ firstName: 'Ada' });
    const tagged = await change(contact.id, () => services.contacts.tag(contact.id, { add: ['renewal'] }, ACTOR));

    vi.spyOn(services.timeline, 'logOnce').mockRejectedValueOnce(new Error('socket hang up'));
    await expect(engine().onContactChange(tagged)).rejects.toThrow('socket hang up');
    const [stopped] = await allRuns(flow.id);
    expect(stopped).toMatchObject({
      status: 'running',
      outcomes: [{ type: 'create_task', status: 'ok' }],
      lastError: 'Error: socket hang up',
    });

    await engine().onContactChange(tagged);
    const [finished] = await allRuns(flow.id);
    expect(finished).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(finished!.outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'ok']);
    expect(await tasksOf(contact.id)).toHaveLength(1);
    expect(await notesOf(contact.id)).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('does nothing twice when the process died after an action took effect but before it was recorded', async () => {
    const flow = await workflow({
      trigger: { type: 'tag_added', tag: 'renewal' },
      actions: [
        { type: 'create_task', title: 'Prepare the renewal', dueInDays: 3, assignee: 'rep-2' },
        { type: 'webhook', url: receiver.url },
      ],
    });
    const { contact } = await createContact({ firstName: 'Ada' });
    const tagged = await change(contact.id, () => services.contacts.tag(contact.id, { add: ['renewal'] }, ACTOR));

    // The task is written, then the process stops for good: the run is neither recorded nor released.
    const createOnce = services.tasks.createOnce.bind(services.tasks);
    vi.spyOn(services.tasks, 'createOnce').mockImplementationOnce(async (...args) => {
      await createOnce(...args);
      return new Promise(() => undefined);
    });
    void engine().onContactChange(tagged);
    await vi.waitFor(async () => expect(await tasksOf(contact.id)).toHaveLength(1));

    // A redelivery while the lease holds leaves the run to its process.
    await engine().onContactChange(tagged);
    expect((await allRuns(flow.id))[0]).toMatchObject({ status: 'running', outcomes: [] });

    // Once the lease ran out, the scheduled sweep resumes it.
    clock.advance(LIMITS.workflowRunLeaseSeconds * 1000 + 60_000);
    const report = await engine().evaluateTimeTriggers();
    expect(report.resumed).toBe(1);
    const [finished] = await allRuns(flow.id);
    expect(finished).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(finished!.outcomes[0]).toMatchObject({ type: 'create_task', status: 'ok', message: 'created before' });
    expect(await tasksOf(contact.id)).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('records an action the contact refuses as failed, and carries on with the others', async () => {
    const flow = await workflow({
      trigger: { type: 'contact_created' },
      actions: [
        { type: 'set_field', field: 'firstName', value: null },
        { type: 'add_tag', tag: 'new' },
      ],
    });
    await services.workflowEngine.onContactChange((await createContact({ firstName: 'Ada' })).event);
    const [run] = await allRuns(flow.id);
    expect(run).toMatchObject({ status: 'failed' });
    expect(run!.outcomes).toMatchObject([
      { type: 'set_field', status: 'failed', message: expect.stringContaining('needs at least a name') },
      { type: 'add_tag', status: 'ok' },
    ]);
  });
});

describe('round robin', () => {
  it('hands each turn to exactly one run, even when the runs race', async () => {
    const flow = await workflow({
      trigger: { type: 'tag_added', tag: 'high-potential' },
      actions: [{ type: 'assign_owner', roundRobin: ['rep-1', 'rep-2', 'rep-3'] }],
    });
    const events: KithEvent[] = [];
    for (let i = 0; i < 6; i++) {
      const { contact } = await createContact({ firstName: `Lead ${i}` });
      events.push(await change(contact.id, () => services.contacts.tag(contact.id, { add: ['high-potential'] }, ACTOR)));
    }
    await Promise.all([...events, ...events].map((event) => engine().onContactChange(event)));
    const owners = (await allRuns(flow.id)).map((run) => run.outcomes[0]!.ref);
    expect(owners.sort()).toEqual(['rep-1', 'rep-1', 'rep-2', 'rep-2', 'rep-3', 'rep-3']);
  });
});

describe('time triggers', () => {
  it('start one run per period when evaluations overlap, and a new one after a new stretch of silence', async () => {
    const flow = await workflow({
      trigger: { type: 'inactivity', days: 30 },
      actions: [{ type: 'create_task', title: 'Check in with {{firstName}}', dueInDays: 2, assignee: 'owner' }],
    });
    const people: Contact[] = [];
    for (const name of ['Ada', 'Grace', 'Hedy', 'Joan'])
      people.push((await createContact({ firstName: name, ownerId: 'rep-1' })).contact);

    clock.advance(29 * DAY);
    expect((await engine().evaluateTimeTriggers()).ran).toBe(0);

    clock.advance(2 * DAY);
    const [first, second] = await Promise.all([engine().evaluateTimeTriggers(), engine().evaluateTimeTriggers()]);
    expect(first.ran + second.ran).toBe(4);
    clock.advance(DAY);
    expect((await engine().evaluateTimeTriggers()).ran).toBe(0);
    for (const person of people) expect(await tasksOf(person.id)).toHaveLength(1);

    // Ada answers a call; thirty quiet days later she is due again, nobody else is.
    await change(people[0]!.id, () => services.timeline.log(people[0]!.id, { kind: 'call', direction: 'in' }, ACTOR));
    clock.advance(31 * DAY);
    expect((await engine().evaluateTimeTriggers()).ran).toBe(1);
    expect(await tasksOf(people[0]!.id)).toHaveLength(2);
    expect(await allRuns(flow.id)).toHaveLength(5);
  });

  it('leaves what its time budget did not reach to the next evaluation, least recently evaluated first', async () => {
    const first = await workflow({ trigger: { type: 'inactivity', days: 7 }, actions: [{ type: 'add_tag', tag: 'quiet-7' }] });
    const second = await workflow({ trigger: { type: 'inactivity', days: 14 }, actions: [{ type: 'add_tag', tag: 'quiet-14' }] });
    for (const name of ['Ada', 'Grace']) await createContact({ firstName: name });
    clock.advance(15 * DAY);

    const starved = await engine().evaluateTimeTriggers({ budgetMs: 0 });
    expect(starved).toMatchObject({ workflows: 2, unfinished: 2, ran: 0 });
    const done = await engine().evaluateTimeTriggers();
    expect(done).toMatchObject({ unfinished: 0, ran: 4 });
    expect((await allRuns(first.id)).length + (await allRuns(second.id)).length).toBe(4);
  });

  it('fires a date that a change brings within reach at once, and once, whatever evaluates it next', async () => {
    await services.fields.create({ key: 'contractEnd', label: 'Contract end', type: 'date', required: false }, ACTOR);
    const flow = await workflow({
      trigger: { type: 'date_approaching', field: 'customFields.contractEnd', days: 30 },
      actions: [{ type: 'add_tag', tag: 'renewal-due' }],
    });
    const { contact, event } = await createContact({ firstName: 'Ada', customFields: { contractEnd: '2026-09-30' } });
    await engine().onContactChange(event);
    expect(await allRuns(flow.id)).toHaveLength(0);

    const renewed = await change(contact.id, () =>
      services.contacts.update(contact.id, { customFields: { contractEnd: '2026-03-20' } }, ACTOR),
    );
    await engine().onContactChange(renewed);
    await engine().onContactChange(renewed);
    await engine().evaluateTimeTriggers();
    clock.advance(DAY);
    await engine().evaluateTimeTriggers();
    const runs = await allRuns(flow.id);
    expect(runs.map((run) => run.key)).toEqual(['date:customFields.contractEnd:2026-03-20']);
  });
});

describe('segment_entered', () => {
  it('fires once per entry, again after leaving and coming back, never for members from before', async () => {
    const segment = await services.segments.create(
      { name: 'VIPs', filter: { field: 'tags', op: 'contains', value: 'vip' } },
      ACTOR,
    );
    const { contact: veteran } = await createContact({ firstName: 'Grace', tags: ['vip'] });
    const flow = await workflow({
      trigger: { type: 'segment_entered', segmentId: segment.id },
      actions: [{ type: 'log_activity', kind: 'note', text: 'Entered VIPs' }],
    });
    const { contact } = await createContact({ firstName: 'Ada' });

    const entered = await change(contact.id, () => services.contacts.tag(contact.id, { add: ['vip'] }, ACTOR));
    await engine().onContactChange(entered);
    await engine().onContactChange(entered);
    await engine().onContactChange(
      await change(contact.id, () => services.contacts.update(contact.id, { jobTitle: 'CTO' }, ACTOR)),
    );
    await engine().onContactChange(
      await change(veteran.id, () => services.contacts.update(veteran.id, { jobTitle: 'CEO' }, ACTOR)),
    );
    expect(await allRuns(flow.id)).toHaveLength(1);

    await engine().onContactChange(await change(contact.id, () => services.contacts.tag(contact.id, { remove: ['vip'] }, ACTOR)));
    await engine().onContactChange(entered); // a late copy of the first entry changes nothing
    await engine().onContactChange(await change(contact.id, () => services.contacts.tag(contact.id, { add: ['vip'] }, ACTOR)));
    const runs = await allRuns(flow.id);
    expect(runs.map((run) => run.contactId)).toEqual([contact.id, contact.id]);
    expect(await notesOf(contact.id)).toHaveLength(2);
    expect(await notesOf(veteran.id)).toHaveLength(0);
  });
});
