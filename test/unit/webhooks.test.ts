import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  isPublicAddress,
  matchesEventType,
  normalizeWebhook,
  retryDelayMs,
  signWebhook,
  verdictOf,
} from '../../shared/domain/webhooks.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { LIMITS } from '../../shared/domain/limits.ts';
import { verifyStandardWebhook } from '../helpers/webhook-receiver.ts';

describe('Standard Webhooks signatures', () => {
  it('match the example of the specification', () => {
    // The spec's example: secret, id, timestamp and body, with the signature it publishes.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('verify with an independent implementation (Web Crypto), and fail on any change', async () => {
    const secret = generateWebhookSecret();
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const body = JSON.stringify({ type: 'contact.created', data: { id: 'x' } });
    const headers = {
      'webhook-id': 'abc',
      'webhook-timestamp': '1700000000',
      'webhook-signature': signWebhook(secret, 'abc', 1700000000, body),
    };
    expect(await verifyStandardWebhook(secret, { headers, body }, 1700000010)).toBe(true);
    expect(await verifyStandardWebhook(secret, { headers, body: body + ' ' }, 1700000010)).toBe(false);
    expect(await verifyStandardWebhook(generateWebhookSecret(), { headers, body }, 1700000010)).toBe(false);
    expect(await verifyStandardWebhook(secret, { headers: { ...headers, 'webhook-id': 'abd' }, body }, 1700000010)).toBe(false);
  });
});

describe('subscriptions', () => {
  it('match exact types, families and everything', () => {
    expect(matchesEventType(['contact.*'], 'contact.created')).toBe(true);
    expect(matchesEventType(['contact.*'], 'contacts.created')).toBe(false);
    expect(matchesEventType(['task.reminder_due'], 'task.reminder_due')).toBe(true);
    expect(matchesEventType(['task.reminder_due'], 'task.updated')).toBe(false);
    expect(matchesEventType(['*'], 'anything.at_all')).toBe(true);
  });

  it('accept http(s) URLs and event patterns only', () => {
    expect(normalizeWebhook({ url: 'https://example.com/hook', events: ['contact.*', 'contact.*'] })).toEqual({
      url: 'https://example.com/hook',
      events: ['contact.*'],
      enabled: true,
    });
    for (const bad of [
      { url: 'ftp://example.com', events: ['*'] },
      { url: 'file:///etc/passwd', events: ['*'] },
      { url: 'https://user:pw@example.com', events: ['*'] },
      { url: 'https://example.com', events: [] },
      { url: 'https://example.com', events: ['contact.*.x'] },
      { url: 'https://example.com', events: ['*.created'] },
    ]) {
      expect(() => normalizeWebhook(bad), JSON.stringify(bad)).toThrow(ValidationError);
    }
  });
});

describe('delivery rules', () => {
  it('back off exponentially with bounded jitter, honouring a longer Retry-After', () => {
    const delays = Array.from({ length: LIMITS.maxWebhookAttempts - 1 }, (_, i) => retryDelayMs('d1', i + 1));
    expect(delays[0]).toBeGreaterThanOrEqual(24_000);
    expect(delays[0]).toBeLessThanOrEqual(36_000);
    for (let i = 1; i < 6; i++) expect(delays[i]! / delays[i - 1]!).toBeGreaterThan(2);
    expect(Math.max(...delays)).toBeLessThanOrEqual(LIMITS.webhookRetryMaxDelaySeconds * 1000 * 1.2);
    const total = delays.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(total).toBeGreaterThan(48); // spans days, as the spec recommends
    expect(retryDelayMs('d1', 1)).toBe(retryDelayMs('d1', 1));
    expect(retryDelayMs('d1', 1, 600)).toBe(600_000);
  });

  it('count 2xx as delivered, 410 as gone and anything else (redirects too) as a retry', () => {
    expect([200, 204, 299].map(verdictOf)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(verdictOf(410)).toBe('gone');
    expect([301, 400, 429, 500, undefined].map(verdictOf)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry']);
  });

  it('tell public addresses from loopback, private, link-local and metadata ones', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.8',
      '172.31.255.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd12::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isPublicAddress(address), address).toBe(true);
    expect(isPublicAddress('example.com')).toBe(false);
  });
});
