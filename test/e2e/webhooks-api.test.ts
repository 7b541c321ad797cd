import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

let api: TestApi;
let receiver: WebhookReceiver;
beforeAll(async () => {
  api = await startTestApi({ settings: { defaultPhoneRegion: 'US', allowPrivateWebhookTargets: true } });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await api?.stop();
  await receiver?.stop();
});

describe('webhooks over HTTP', () => {
  it('shows the secret once, lists without it, delivers signed events and logs them', async () => {
    const created = await api.request('POST', '/v1/webhooks', {
      body: { url: receiver.url, events: ['contact.*'], description: 'CRM sync' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const { id, secret } = created.body;
    expect((await api.request('GET', `/v1/webhooks/${id}`)).body.secret).toBeUndefined();
    expect((await api.request('GET', '/v1/webhooks')).body.results.map((w: { secret?: string }) => w.secret)).toEqual([
      undefined,
    ]);

    const contact = (await api.request('POST', '/v1/contacts', { body: { firstName: 'Ada' } })).body;
    await api.runtime.pipeline.drain(); // the change stream carries contact.created to the dispatcher
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      type: 'contact.created',
      data: { entity: 'contact', id: contact.id },
    });
    expect(await verifyStandardWebhook(secret, receiver.received[0]!, Math.floor(Date.now() / 1000))).toBe(true);

    const log = await api.request('GET', `/v1/webhooks/${id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.results).toMatchObject([
      { status: 'delivered', attempts: 1, lastStatusCode: 204, eventType: 'contact.created' },
    ]);
    expect(log.body.results[0].lastLatencyMs).toBeGreaterThanOrEqual(0);
  });

  it('needs schema:manage, and refuses URLs that are not http(s)', async () => {
    const member = await api.keyFor('member');
    expect((await api.request('GET', '/v1/webhooks', { key: member })).status).toBe(403);
    const bad = await api.request('POST', '/v1/webhooks', { body: { url: 'gopher://example.com', events: ['*'] } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('url');
  });

  it('edits, rotates and deletes a subscription', async () => {
    const { id, secret } = (
      await api.request('POST', '/v1/webhooks', { body: { url: 'https://example.com/h', events: ['task.*'] } })
    ).body;
    const patched = await api.request('PATCH', `/v1/webhooks/${id}`, {
      body: { events: ['task.reminder_due'], enabled: false },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.body).toMatchObject({ events: ['task.reminder_due'], enabled: false, version: 2 });
    const rotated = await api.request('POST', `/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.body.secret).not.toBe(secret);
    expect((await api.request('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/webhooks/${id}/deliveries`)).status).toBe(404);
  });
});
