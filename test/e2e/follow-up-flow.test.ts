import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { fixedClock } from '../../shared/domain/clock.ts';

/**
 * The whole follow-up loop on the local runtime, through the real change stream, bus and
 * scheduler: what is logged and scheduled through the API comes out as signed webhooks.
 */
const clock = fixedClock('2026-07-01T14:00:00.000Z');
let api: TestApi;
let receiver: WebhookReceiver;
let secret: string;
beforeAll(async () => {
  api = await startTestApi({ clock, settings: { defaultPhoneRegion: 'US', allowPrivateWebhookTargets: true } });
  receiver = await startWebhookReceiver();
  secret = (await api.request('POST', '/v1/webhooks', { body: { url: receiver.url, events: ['task.*', 'activity.logged'] } }))
    .body.secret;
});
afterAll(async () => {
  await api?.stop();
  await receiver?.stop();
});

const settle = () => api.runtime.pipeline.drain();
const received = (type: string) => receiver.received.map((r) => JSON.parse(r.body)).filter((body) => body.type === type);

describe('from the API to signed webhooks, through the change stream', () => {
  let contactId: string;

  it('publishes a logged call as activity.logged, naming its contact', async () => {
    contactId = (await api.request('POST', '/v1/contacts', { body: { firstName: 'Ada', lifecycleStage: 'lead' } })).body.id;
    const call = (await api.request('POST', `/v1/contacts/${contactId}/activities`, { body: { kind: 'call', direction: 'out' } }))
      .body;
    await settle();
    expect(received('activity.logged')).toMatchObject([
      { data: { entity: 'activity', id: call.id, data: { contactId, kind: 'call' } } },
    ]);
    const delivery = receiver.received.find((r) => JSON.parse(r.body).type === 'activity.logged')!;
    expect(await verifyStandardWebhook(secret, delivery, Math.floor(clock.now().getTime() / 1000))).toBe(true);
  });

  it('fires task.reminder_due once when the schedule sweeps, however often it runs', async () => {
    const task = (
      await api.request('POST', '/v1/tasks', { body: { title: 'Call Ada back', contactId, remindAt: '2026-07-01T14:05:00Z' } })
    ).body;
    await api.runtime.scheduler.tick();
    await settle();
    expect(received('task.reminder_due')).toEqual([]);

    clock.set('2026-07-01T14:06:00.000Z');
    await api.runtime.scheduler.tick();
    await settle();
    clock.set('2026-07-01T14:07:00.000Z');
    await api.runtime.scheduler.tick();
    await settle();
    expect(received('task.reminder_due')).toMatchObject([
      { data: { id: task.id, actor: 'system:reminders', data: { contactId, remindAt: '2026-07-01T14:05:00.000Z' } } },
    ]);
  });

  it('publishes task.completed and records it, and a stage change, on the timeline', async () => {
    const task = (await api.request('POST', '/v1/tasks', { body: { title: 'Send contract', contactId } })).body;
    await api.request('POST', `/v1/tasks/${task.id}/complete`);
    await api.request('PATCH', `/v1/contacts/${contactId}`, { body: { lifecycleStage: 'customer' } });
    await settle();
    expect(received('task.completed')).toMatchObject([{ data: { id: task.id, data: { contactId } } }]);
    const timeline = (await api.request('GET', `/v1/contacts/${contactId}/activities`)).body.results;
    expect(
      timeline
        .filter((a: { kind: string }) => a.kind === 'system')
        .map((a: { subject: string }) => a.subject)
        .sort(),
    ).toEqual(['Lifecycle stage changed from lead to customer', 'Task completed: Send contract']);
  });
});
