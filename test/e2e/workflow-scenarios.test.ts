import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';
import { fixedClock } from '../../shared/domain/clock.ts';
import type { KithEvent } from '../../shared/events/types.ts';

/**
 * The four scenarios teams automate first, end to end over HTTP on the local runtime: the real
 * change stream, bus, engine, scheduler and webhook sender, a real HTTP receiver, and time moved
 * by the Clock, never slept.
 */
const DAY = 24 * 60 * 60 * 1000;
const clock = fixedClock('2026-07-01T09:00:00.000Z');
let api: TestApi;
let receiver: WebhookReceiver;
const published: KithEvent[] = [];

beforeAll(async () => {
  api = await startTestApi({ clock, settings: { defaultPhoneRegion: 'US', allowPrivateWebhookTargets: true } });
  api.runtime.pipeline.observe({ published: (events) => published.push(...events) });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await api?.stop();
  await receiver?.stop();
});

const settle = () => api.runtime.pipeline.drain();
/** A scheduler tick at the clock's time, once everything written before it reached the search index. */
async function tick() {
  await settle();
  await api.runtime.scheduler.tick();
  await settle();
}
const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

async function createWorkflow(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const created = await api.request('POST', '/v1/workflows', { body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

async function createContact(body: Record<string, unknown>): Promise<string> {
  const created = await api.request('POST', '/v1/contacts', { body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

async function tasksOf(contactId: string) {
  return (await api.request('GET', `/v1/tasks?contactId=${contactId}`)).body.results as {
    title: string;
    assigneeId?: string;
    dueAt: string;
  }[];
}

/** What the receiver got from one workflow's webhook actions, parsed. */
function deliveriesOf(workflowId: string) {
  return receiver.received
    .map((delivery) => ({ delivery, body: JSON.parse(delivery.body) }))
    .filter(({ body }) => body.type === 'workflow.webhook' && body.data.workflow.id === workflowId);
}

describe('(a) a contact tagged high-potential goes to the next senior rep, with a follow-up task', () => {
  it('assigns two tagged contacts to two different reps, in turn, each with a task', async () => {
    const workflow = await createWorkflow({
      name: 'High potentials to senior reps',
      trigger: { type: 'tag_added', tag: 'high-potential' },
      actions: [
        { type: 'assign_owner', roundRobin: ['senior-1', 'senior-2', 'senior-3'] },
        { type: 'create_task', title: 'Follow up with {{firstName}}', dueInDays: 1, assignee: 'owner' },
      ],
    });
    const ada = await createContact({ firstName: 'Ada', ownerId: 'junior-1' });
    const grace = await createContact({ firstName: 'Grace' });

    await api.request('POST', `/v1/contacts/${ada}/tags`, { body: { add: ['High-Potential'] } });
    await settle();
    await api.request('POST', `/v1/contacts/${grace}/tags`, { body: { add: ['high-potential'] } });
    await settle();

    expect((await api.request('GET', `/v1/contacts/${ada}`)).body.ownerId).toBe('senior-1');
    expect((await api.request('GET', `/v1/contacts/${grace}`)).body.ownerId).toBe('senior-2');
    expect(await tasksOf(ada)).toMatchObject([
      { title: 'Follow up with Ada', assigneeId: 'senior-1', dueAt: '2026-07-02T09:00:00.000Z' },
    ]);
    expect(await tasksOf(grace)).toMatchObject([{ title: 'Follow up with Grace', assigneeId: 'senior-2' }]);

    const runs = (await api.request('GET', `/v1/workflows/${workflow.id}/runs`)).body.results;
    expect(runs.map((run: { contactId: string }) => run.contactId)).toEqual([grace, ada]);
    expect(runs[1]).toMatchObject({
      status: 'succeeded',
      trigger: 'tag_added',
      outcomes: [
        { type: 'assign_owner', status: 'ok', ref: 'senior-1' },
        { type: 'create_task', status: 'ok' },
      ],
    });
  });
});

describe('(b) nobody spoke to a customer for 30 days: a follow-up task and a webhook', () => {
  // Each tick after a jump of weeks sweeps the due indexes' missed minutes: slow on DynamoDB Local.
  it(
    'fires once for the quiet customer, not for the one who was called, with a verifiable signature',
    { timeout: 120_000 },
    async () => {
      const workflow = await createWorkflow({
        name: 'Quiet customers',
        trigger: { type: 'inactivity', days: 30 },
        conditions: { field: 'lifecycleStage', op: 'eq', value: 'customer' },
        actions: [
          { type: 'create_task', title: 'Check in with {{firstName}}', dueInDays: 2, assignee: 'owner' },
          { type: 'webhook', url: receiver.url },
        ],
      });
      const quiet = await createContact({ firstName: 'Hedy', lifecycleStage: 'customer', ownerId: 'am-1' });
      const called = await createContact({ firstName: 'Joan', lifecycleStage: 'customer', ownerId: 'am-1' });
      const lead = await createContact({ firstName: 'Mary', lifecycleStage: 'lead' });

      clock.advance(20 * DAY);
      await api.request('POST', `/v1/contacts/${called}/activities`, { body: { kind: 'call', direction: 'out' } });
      await tick();
      expect(deliveriesOf(workflow.id)).toHaveLength(0);

      clock.advance(11 * DAY);
      await tick();
      const [first] = deliveriesOf(workflow.id);
      expect(await verifyStandardWebhook(workflow.secret, first!.delivery, nowSeconds())).toBe(true);
      await tick();
      clock.advance(DAY);
      await tick();

      expect(await tasksOf(quiet)).toMatchObject([{ title: 'Check in with Hedy', assigneeId: 'am-1' }]);
      expect(await tasksOf(called)).toEqual([]);
      expect(await tasksOf(lead)).toEqual([]);
      const delivered = deliveriesOf(workflow.id);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.body.data).toMatchObject({
        workflow: { id: workflow.id, name: 'Quiet customers' },
        contact: { id: quiet, firstName: 'Hedy' },
      });
      const log = (await api.request('GET', `/v1/workflows/${workflow.id}/deliveries`)).body.results;
      expect(log).toMatchObject([{ workflowId: workflow.id, contactId: quiet, status: 'delivered', attempts: 1 }]);
    },
  );
});

describe('(c) a contract ends within 30 days: a task for the account manager and a webhook, exactly once', () => {
  it('fires once per contract end, however often it is evaluated and its events delivered', { timeout: 120_000 }, async () => {
    expect(
      (await api.request('POST', '/v1/fields', { body: { key: 'contractEnd', label: 'Contract end', type: 'date' } })).status,
    ).toBe(201);
    const workflow = await createWorkflow({
      name: 'Renewals',
      trigger: { type: 'date_approaching', field: 'customFields.contractEnd', days: 30 },
      actions: [
        {
          type: 'create_task',
          title: 'Renew {{firstName}} before {{customFields.contractEnd}}',
          dueInDays: 7,
          assignee: 'owner',
        },
        { type: 'webhook', url: receiver.url },
      ],
    });
    const day = (offset: number) => new Date(clock.now().getTime() + offset * DAY).toISOString().slice(0, 10);
    const [soonEnds, laterEnds] = [day(45), day(60)];
    const soon = await createContact({ firstName: 'Ada', ownerId: 'am-2', customFields: { contractEnd: soonEnds } });
    const later = await createContact({ firstName: 'Grace', ownerId: 'am-3', customFields: { contractEnd: laterEnds } });
    await tick();
    expect(deliveriesOf(workflow.id)).toHaveLength(0);

    clock.advance(20 * DAY); // Ada's contract ends in 25 days, Grace's in 40.
    await Promise.all([api.runtime.scheduler.tick(), api.runtime.scheduler.tick()]);
    await tick();
    const [adas] = deliveriesOf(workflow.id);
    expect(await verifyStandardWebhook(workflow.secret, adas!.delivery, nowSeconds())).toBe(true);
    clock.advance(DAY);
    await tick();
    // Every event the stream published so far, delivered to the engine once more, newest first.
    const engine = api.runtime.handlers['workflow-engine']!;
    const contactEvents = published.filter((event) => event.detail.entity === 'contact').reverse();
    for (const event of contactEvents) await engine(event, lambdaContext('workflow-engine'));
    await settle();

    expect(await tasksOf(soon)).toMatchObject([{ title: `Renew Ada before ${soonEnds}`, assigneeId: 'am-2' }]);
    expect(await tasksOf(later)).toEqual([]);
    expect(deliveriesOf(workflow.id).map(({ body }) => body.data.contact.id)).toEqual([soon]);

    clock.advance(15 * DAY); // Grace's turn: 25 days left.
    await tick();
    await tick();
    expect(await tasksOf(later)).toMatchObject([{ assigneeId: 'am-3' }]);
    expect(await tasksOf(soon)).toHaveLength(1);
    expect(deliveriesOf(workflow.id).map(({ body }) => body.data.contact.id)).toEqual([soon, later]);
    const runs = (await api.request('GET', `/v1/workflows/${workflow.id}/runs`)).body.results;
    expect(runs.map((run: { contactId: string; key: string }) => [run.contactId, run.key])).toEqual([
      [later, `date:customFields.contractEnd:${laterEnds}`],
      [soon, `date:customFields.contractEnd:${soonEnds}`],
    ]);
  });
});

describe('(d) a reminder fires once, at its time', () => {
  // A runtime of its own: the clock above jumped weeks, and the reminder sweep catches up on
  // missed time 120 minutes per run, as it would after an outage.
  const reminderClock = fixedClock('2026-07-01T09:00:00.000Z');
  let reminderApi: TestApi;
  beforeAll(async () => {
    reminderApi = await startTestApi({
      clock: reminderClock,
      settings: { defaultPhoneRegion: 'US', allowPrivateWebhookTargets: true },
    });
  });
  afterAll(async () => {
    await reminderApi?.stop();
  });

  it('delivers task.reminder_due exactly once to the webhook subscribed to it', async () => {
    const run = async () => {
      await reminderApi.runtime.pipeline.drain();
      await reminderApi.runtime.scheduler.tick();
      await reminderApi.runtime.pipeline.drain();
    };
    const subscription = await reminderApi.request('POST', '/v1/webhooks', {
      body: { url: receiver.url, events: ['task.reminder_due'] },
    });
    expect(subscription.status).toBe(201);
    const remindAt = new Date(reminderClock.now().getTime() + 2 * 60 * 60 * 1000);
    const task = (
      await reminderApi.request('POST', '/v1/tasks', {
        body: { title: 'Call Ada about the renewal', remindAt: remindAt.toISOString(), dueAt: remindAt.toISOString() },
      })
    ).body;
    const reminders = () =>
      receiver.received
        .map((r) => ({ delivery: r, body: JSON.parse(r.body) }))
        .filter(({ body }) => body.type === 'task.reminder_due');

    reminderClock.set(new Date(remindAt.getTime() - 60_000));
    await run();
    expect(reminders()).toHaveLength(0);

    reminderClock.set(new Date(remindAt.getTime() + 60_000));
    await run();
    expect(reminders()).toHaveLength(1);
    expect(
      await verifyStandardWebhook(
        subscription.body.secret,
        reminders()[0]!.delivery,
        Math.floor(reminderClock.now().getTime() / 1000),
      ),
    ).toBe(true);
    reminderClock.advance(60_000);
    await run();
    reminderClock.advance(15 * 60_000);
    await run();
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.body.data).toMatchObject({ id: task.id, data: { remindAt: remindAt.toISOString() } });
  });
});
