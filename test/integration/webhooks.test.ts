import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshStore } from '../helpers/store.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { createServices, type Services } from '../../shared/app/services.ts';
import { fixedClock } from '../../shared/domain/clock.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { LIMITS } from '../../shared/domain/limits.ts';
import { createWebhookSender } from '../../shared/events/webhook-sender.ts';
import type { KithEvent } from '../../shared/events/types.ts';

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.stop();
});

const clock = fixedClock('2026-04-01T10:00:00.000Z');
let services: Services;
beforeEach(async () => {
  clock.set('2026-04-01T10:00:00.000Z');
  receiver.received.length = 0;
  receiver.answerWith(204);
  services = createServices({
    store: await freshStore(),
    clock,
    settings: { defaultPhoneRegion: 'US', allowPrivateWebhookTargets: true },
  });
  await services.webhookDispatcher.retryDue(); // a running system has swept before
});

let sequence = 0;
function event(type: string, entity: string, id: string, data?: Record<string, unknown>): KithEvent {
  sequence++;
  return {
    version: '0',
    id: `bus-${sequence}`,
    'detail-type': type as KithEvent['detail-type'],
    source: 'kith',
    account: '000000000000',
    time: clock.now().toISOString(),
    region: 'local',
    resources: [],
    detail: {
      eventId: `stream-${sequence}`,
      entity,
      id,
      version: 1,
      changedFields: [],
      actor: 'key:test',
      occurredAt: clock.now().toISOString(),
      ...(data ? { data } : {}),
    },
  };
}

const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

describe('webhook delivery to a real HTTP receiver', () => {
  it('delivers a matching event once, signed so that an independent verifier accepts it', async () => {
    const hook = await services.webhooks.create({ url: receiver.url, events: ['contact.*'] }, 'test');
    await services.webhooks.create({ url: receiver.url, events: ['task.reminder_due'] }, 'test');
    const created = event('contact.created', 'contact', '01CONTACT00000000000000000');
    const result = await services.webhookDispatcher.dispatch(created);
    expect(result).toEqual({ matched: 1, delivered: 1, retrying: 0 });

    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(await verifyStandardWebhook(hook.secret, delivery!, nowSeconds())).toBe(true);
    expect(JSON.parse(delivery!.body)).toEqual({
      type: 'contact.created',
      timestamp: created.detail.occurredAt,
      data: created.detail,
    });
    expect(delivery!.headers['content-type']).toBe('application/json');

    // the same event delivered to the dispatcher twice (at-least-once bus) is sent once
    await services.webhookDispatcher.dispatch(created);
    expect(receiver.received).toHaveLength(1);

    const log = await services.webhooks.deliveriesOf(hook.id, { limit: 10 });
    expect(log.results).toMatchObject([
      {
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 204,
        contactId: '01CONTACT00000000000000000',
        eventType: 'contact.created',
      },
    ]);
    expect(log.results[0]!.id).toBe(delivery!.headers['webhook-id']);
    expect((await services.webhooks.deliveries.mentioning('01CONTACT00000000000000000', { limit: 10 })).results).toHaveLength(1);
  });

  it('sends nothing for events nobody subscribed to, or to a disabled subscription', async () => {
    const hook = await services.webhooks.create({ url: receiver.url, events: ['task.*'] }, 'test');
    expect((await services.webhookDispatcher.dispatch(event('contact.updated', 'contact', 'c1'))).matched).toBe(0);
    await services.webhooks.update(hook.id, { enabled: false }, 'test');
    expect((await services.webhookDispatcher.dispatch(event('task.reminder_due', 'task', 't1'))).matched).toBe(0);
    expect(receiver.received).toHaveLength(0);
  });

  it('retries a failing receiver with backoff, from the persisted schedule, until it answers 2xx', async () => {
    const hook = await services.webhooks.create({ url: receiver.url, events: ['*'] }, 'test');
    receiver.answerWith(500, 503, 200);
    expect(
      await services.webhookDispatcher.dispatch(event('task.reminder_due', 'task', 't1', { contactId: 'c9' })),
    ).toMatchObject({ retrying: 1 });
    let [delivery] = (await services.webhooks.deliveriesOf(hook.id, { limit: 1 })).results;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, contactId: 'c9' });
    const firstRetry = Date.parse(delivery!.nextAttemptAt!) - clock.now().getTime();
    expect(firstRetry).toBeGreaterThanOrEqual(24_000);
    expect(firstRetry).toBeLessThanOrEqual(36_000);

    // nothing is due yet
    expect((await services.webhookDispatcher.retryDue()).attempted).toBe(0);
    clock.set(delivery!.nextAttemptAt!);
    expect((await services.webhookDispatcher.retryDue()).attempted).toBe(1);
    [delivery] = (await services.webhooks.deliveriesOf(hook.id, { limit: 1 })).results;
    // 503 came with Retry-After: 120, longer than the 2-minute-ish backoff's lower bound
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2, lastStatusCode: 503 });
    expect(Date.parse(delivery!.nextAttemptAt!) - clock.now().getTime()).toBeGreaterThanOrEqual(120_000);

    clock.set(delivery!.nextAttemptAt!);
    await services.webhookDispatcher.retryDue();
    [delivery] = (await services.webhooks.deliveriesOf(hook.id, { limit: 1 })).results;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    expect(delivery!.attemptLog.map((a) => a.statusCode)).toEqual([500, 503, 200]);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    // each attempt is signed for its own timestamp
    expect(new Set(receiver.received.map((r) => r.headers['webhook-timestamp'])).size).toBe(3);
  });

  it('gives up after the last attempt, and records why it failed', async () => {
    const hook = await services.webhooks.create({ url: 'http://127.0.0.1:9/nobody-listens', events: ['*'] }, 'test');
    await services.webhookDispatcher.dispatch(event('contact.deleted', 'contact', 'c2'));
    const [first] = (await services.webhooks.deliveriesOf(hook.id, { limit: 1 })).results;
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    expect(first!.lastError).toMatch(/ECONNREFUSED/);
    // Days of retries later (their spacing is the unit tests' business): the last attempt is due.
    const last = { ...first!, attempts: LIMITS.maxWebhookAttempts - 1, version: first!.version + 1 };
    await services.webhooks.deliveries.put(last, first!.version, clock.now());
    clock.set(first!.nextAttemptAt!);
    expect((await services.webhookDispatcher.retryDue()).attempted).toBe(1);
    const [delivery] = (await services.webhooks.deliveriesOf(hook.id, { limit: 1 })).results;
    expect(delivery).toMatchObject({ status: 'failed', attempts: LIMITS.maxWebhookAttempts });
    expect(delivery!.nextAttemptAt).toBeUndefined();
    clock.advance(24 * 3_600_000);
    for (let i = 0; i < 2; i++) expect((await services.webhookDispatcher.retryDue()).attempted).toBe(0);
  });

  it('retries an attempt whose process died mid-flight once its lease runs out', async () => {
    const hook = await services.webhooks.create({ url: receiver.url, events: ['*'] }, 'test');
    const slowSender = { send: () => new Promise<never>(() => undefined) }; // the Lambda froze mid-request
    const dying = createServices({
      store: services.store,
      clock,
      settings: { defaultPhoneRegion: 'US' },
      webhookSender: slowSender,
    });
    void dying.webhookDispatcher.dispatch(event('contact.created', 'contact', 'c3'));
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the claim land
    let [delivery] = (await services.webhooks.deliveriesOf(hook.id, { limit: 1 })).results;
    expect(delivery).toMatchObject({ status: 'delivering', attempts: 1 });

    expect((await services.webhookDispatcher.retryDue()).attempted).toBe(0); // the lease still holds
    clock.advance(LIMITS.webhookAttemptLeaseSeconds * 1000);
    expect((await services.webhookDispatcher.retryDue()).delivered).toBe(1);
    [delivery] = (await services.webhooks.deliveriesOf(hook.id, { limit: 1 })).results;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('attempts each due retry once when two sweeps overlap', async () => {
    const hook = await services.webhooks.create({ url: receiver.url, events: ['*'] }, 'test');
    receiver.answerWith(500);
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => services.webhookDispatcher.dispatch(event('contact.updated', 'contact', `c${i}`))),
    );
    receiver.answerWith(200);
    clock.advance(LIMITS.webhookRetryBaseSeconds * 1.2 * 1000);
    const sweeps = await Promise.all([services.webhookDispatcher.retryDue(), services.webhookDispatcher.retryDue()]);
    expect(sweeps[0]!.attempted + sweeps[1]!.attempted).toBe(5);
    expect(receiver.received).toHaveLength(10);
    const log = await services.webhooks.deliveriesOf(hook.id, { limit: 10 });
    expect(log.results.every((d) => d.status === 'delivered' && d.attempts === 2)).toBe(true);
  });

  it('switches a subscription off when its receiver answers 410 Gone', async () => {
    const hook = await services.webhooks.create({ url: receiver.url, events: ['*'] }, 'test');
    receiver.answerWith(410);
    await services.webhookDispatcher.dispatch(event('contact.created', 'contact', 'c4'));
    expect(await services.webhooks.get(hook.id)).toMatchObject({
      enabled: false,
      disabledReason: 'The receiver answered 410 Gone',
    });
    expect((await services.webhooks.deliveriesOf(hook.id, { limit: 1 })).results[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
    });
    const enabled = await services.webhooks.update(hook.id, { enabled: true }, 'test');
    expect(enabled.disabledReason).toBeUndefined();
  });

  it('signs with the new secret after a rotation', async () => {
    const hook = await services.webhooks.create({ url: receiver.url, events: ['*'] }, 'test');
    const rotated = await services.webhooks.rotateSecret(hook.id, 'test');
    expect(rotated.secret).not.toBe(hook.secret);
    await services.webhookDispatcher.dispatch(event('contact.created', 'contact', 'c5'));
    expect(await verifyStandardWebhook(rotated.secret, receiver.received[0]!, nowSeconds())).toBe(true);
    expect(await verifyStandardWebhook(hook.secret, receiver.received[0]!, nowSeconds())).toBe(false);
  });
});

describe('webhook targets (SSRF)', () => {
  it('refuses private and loopback URLs at subscription time unless allowed', async () => {
    const cloud = createServices({ store: services.store, clock, settings: { defaultPhoneRegion: 'US' } });
    for (const url of [
      'http://127.0.0.1/x',
      'http://localhost:8080/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/x',
      'http://10.0.0.5/x',
    ]) {
      await expect(cloud.webhooks.create({ url, events: ['*'] }, 'test'), url).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(cloud.webhooks.create({ url: 'https://hooks.example.com/kith', events: ['*'] }, 'test')).resolves.toBeDefined();
  });

  it('refuses to connect to a name that resolves to a private address', async () => {
    const sender = createWebhookSender({ allowPrivateNetworks: false });
    const byName = await sender.send({ url: receiver.url.replace('127.0.0.1', 'localhost'), headers: {}, body: '{}' });
    expect(byName.statusCode).toBeUndefined();
    expect(byName.error).toMatch(/not a public address/);
    const byLiteral = await sender.send({ url: receiver.url, headers: {}, body: '{}' });
    expect(byLiteral.error).toMatch(/not a public address/);
    expect(receiver.received).toHaveLength(0);
    const allowed = await createWebhookSender({ allowPrivateNetworks: true }).send({
      url: receiver.url.replace('127.0.0.1', 'localhost'),
      headers: {},
      body: '{}',
    });
    expect(allowed.statusCode).toBe(204);
  });
});
