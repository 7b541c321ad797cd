import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from '../domain/webhooks.ts';
import { LIMITS } from '../domain/limits.ts';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one attempt came to. `statusCode` is absent when no HTTP answer came back. */
export interface WebhookResponse {
  statusCode?: number;
  latencyMs: number;
  error?: string;
  /** The receiver's `Retry-After`, in seconds. */
  retryAfterSeconds?: number;
}

/** Delivers one signed request. Never throws: every failure is an answer the caller records. */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

export interface SenderOptions {
  /** Allow loopback and private addresses: for local development and tests, never in AWS. */
  allowPrivateNetworks: boolean;
  timeoutMs?: number;
}

/**
 * POSTs over node:http(s). Against SSRF, the address check runs on the address actually
 * connected to (inside the socket's DNS lookup, so a name that resolves differently on the
 * second lookup cannot slip past), redirects are never followed, and the wait is bounded.
 */
export function createWebhookSender(options: SenderOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? LIMITS.webhookTimeoutMs;
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const allowed = addresses.filter((a) => options.allowPrivateNetworks || isPublicAddress(a.address));
      if (allowed.length === 0) return callback(refusal(hostname), '', 0);
      if ((lookupOptions as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };

  return {
    send(request) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      return new Promise<WebhookResponse>((resolve) => {
        let url: URL;
        try {
          url = new URL(request.url);
        } catch {
          return resolve({ latencyMs: 0, error: 'invalid URL' });
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
          return resolve({ latencyMs: 0, error: 'only http and https URLs are delivered to' });
        const literal = url.hostname.replace(/^\[|\]$/g, '');
        if (isIP(literal) && !options.allowPrivateNetworks && !isPublicAddress(literal)) {
          return resolve({ latencyMs: 0, error: refusal(literal).message });
        }
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(url, {
          method: 'POST',
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(request.body),
            'user-agent': 'Kith-Webhooks/1',
          },
          lookup: guardedLookup,
          timeout: timeoutMs,
        });
        const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', (error) => {
          clearTimeout(deadline);
          resolve({ latencyMs: elapsed(), error: describe(error) });
        });
        req.on('response', (res: IncomingMessage) => {
          // The status is the answer; the body is drained and dropped.
          res.resume();
          res.on('end', () => clearTimeout(deadline));
          res.on('error', () => clearTimeout(deadline));
          clearTimeout(deadline);
          resolve({ statusCode: res.statusCode, latencyMs: elapsed(), ...retryAfterOf(res.headers['retry-after']) });
        });
        req.end(request.body);
      });
    },
  };
}

function refusal(host: string): Error {
  return new Error(`refused: ${host} is not a public address`);
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
}

function retryAfterOf(header: string | undefined): { retryAfterSeconds?: number } {
  if (!header) return {};
  if (/^\d+$/.test(header)) return { retryAfterSeconds: Number(header) };
  const at = Date.parse(header);
  return Number.isNaN(at) ? {} : { retryAfterSeconds: Math.max(0, Math.round((at - Date.now()) / 1000)) };
}
