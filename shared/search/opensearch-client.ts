import type { Agent as HttpAgent, IncomingMessage, RequestOptions } from 'node:http';
import type { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { LIMITS } from '../domain/limits.ts';
import { sigV4Signer } from '../http/sigv4.ts';

/**
 * The few REST calls the search adapter makes, over node:http(s), signed with SigV4 for Amazon
 * OpenSearch Service. It stands in for @opensearch-project/opensearch, whose ~280 KB (with
 * json11 and aws4) would be most of every search function's bundle; the signer is the AWS
 * SDK's own, already bundled for DynamoDB.
 */
export interface OpenSearchClientOptions {
  /** `http://127.0.0.1:9200` locally; the domain endpoint (`https://…`) in AWS. */
  url: string;
  /** Sign every request (service `es`) with these credentials, as Amazon OpenSearch Service requires. */
  aws?: { region: string; credentials: AwsCredentialIdentityProvider };
  timeoutMs?: number;
}

export interface OpenSearchRequest {
  /** A JSON body; an array is sent as NDJSON, one line per element (`_bulk`). */
  body?: unknown;
  /** Statuses that are an answer rather than an error (a HEAD's 404). */
  allow?: readonly number[];
}

export interface OpenSearchResponse<T> {
  statusCode: number;
  body: T;
}

/** A status the caller did not allow; `body` is OpenSearch's error document. */
export class OpenSearchError extends Error {
  readonly statusCode: number;
  readonly body: unknown;

  constructor(method: string, path: string, statusCode: number, body: unknown) {
    const reason = (body as { error?: { reason?: string; type?: string } } | undefined)?.error;
    super(`OpenSearch answered ${statusCode} to ${method} ${path}${reason ? `: ${reason.reason ?? reason.type}` : ''}`);
    this.name = 'OpenSearchError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

/** Errors of a connection a keep-alive socket lost under us: worth one more try. */
const RETRYABLE_NETWORK_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN']);

export class OpenSearchClient {
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly signer: SignatureV4 | undefined;
  /** node:http or node:https with a keep-alive agent, loaded on the first request. */
  private transport: Promise<{ request: typeof import('node:http').request; agent: HttpAgent }> | undefined;

  constructor(options: OpenSearchClientOptions) {
    this.url = new URL(options.url);
    this.timeoutMs = options.timeoutMs ?? LIMITS.searchRequestTimeoutMs;
    this.signer = options.aws
      ? sigV4Signer({ service: 'es', region: options.aws.region, credentials: options.aws.credentials })
      : undefined;
  }

  async request<T = unknown>(method: string, path: string, options: OpenSearchRequest = {}): Promise<OpenSearchResponse<T>> {
    const body =
      options.body === undefined
        ? undefined
        : Array.isArray(options.body)
          ? options.body.map((line) => `${JSON.stringify(line)}\n`).join('')
          : JSON.stringify(options.body);
    for (let attempt = 1; ; attempt++) {
      try {
        const { statusCode, text } = await this.send(method, path, body, Array.isArray(options.body));
        const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
        if (statusCode >= 400 && !options.allow?.includes(statusCode))
          throw new OpenSearchError(method, path, statusCode, parsed);
        return { statusCode, body: parsed as T };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (attempt >= LIMITS.searchNetworkAttempts || !code || !RETRYABLE_NETWORK_ERRORS.has(code)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }

  /** Closes the idle keep-alive sockets. */
  async close(): Promise<void> {
    if (this.transport) (await this.transport).agent.destroy();
    this.transport = undefined;
  }

  private async send(
    method: string,
    path: string,
    body: string | undefined,
    ndjson: boolean,
  ): Promise<{ statusCode: number; text: string }> {
    const { request, agent } = await (this.transport ??= this.openTransport());
    const headers: Record<string, string> = {
      host: this.url.host,
      accept: 'application/json',
      ...(body === undefined
        ? {}
        : {
            'content-type': ndjson ? 'application/x-ndjson' : 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          }),
    };
    const base = this.url.pathname.replace(/\/$/, '');
    const signed = this.signer
      ? await this.signer.sign({
          method,
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port ? Number(this.url.port) : undefined,
          path: `${base}${path.split('?')[0]}`,
          query: Object.fromEntries(new URLSearchParams(path.split('?')[1] ?? '')),
          headers,
          body,
        })
      : { headers };
    const requestOptions: RequestOptions = {
      method,
      hostname: this.url.hostname,
      port: this.url.port || undefined,
      path: `${base}${path}`,
      headers: signed.headers,
      agent,
      timeout: this.timeoutMs,
    };
    return new Promise((resolve, reject) => {
      const req = request(requestOptions, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error(`OpenSearch did not answer ${method} ${path} in time`), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private async openTransport() {
    // Imported on first use: a function that never searches does not load them.
    const { request, Agent } = this.url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    return { request, agent: new Agent({ keepAlive: true, maxSockets: LIMITS.searchMaxSockets }) };
  }
}
