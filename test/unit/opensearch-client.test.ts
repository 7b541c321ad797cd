import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { OpenSearchClient, OpenSearchError } from '../../shared/search/opensearch-client.ts';

/** What reached the node: a local server stands in for an Amazon OpenSearch Service domain. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let url: string;
const received: Received[] = [];
let answer: { status: number; body?: unknown } = { status: 200, body: { acknowledged: true } };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });

describe('the OpenSearch client', () => {
  it('signs each request with SigV4 for service es, over exactly the bytes it sends', async () => {
    const client = new OpenSearchClient({ url, aws: { region: 'eu-west-1', credentials } });
    answer = { status: 200, body: { hits: { hits: [] } } };
    const { body } = await client.request('POST', '/kith-contacts/_search', { body: { query: { match_all: {} } } });
    await client.close();
    expect(body).toEqual({ hits: { hits: [] } });

    const sent = received.at(-1)!;
    expect(sent.body).toBe('{"query":{"match_all":{}}}');
    expect(sent.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(sent.body).digest('hex'));
    expect(sent.headers['x-amz-security-token']).toBe('session');
    expect(sent.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, /);

    // The domain recomputes the signature from what arrived: so does this test.
    const date = sent.headers['x-amz-date'] as string;
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(sent.headers.authorization!)![1]!.split(';');
    const expected = await new SignatureV4({ service: 'es', region: 'eu-west-1', credentials, sha256: Sha256 }).sign(
      {
        method: sent.method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: sent.url,
        query: {},
        headers: Object.fromEntries(signedHeaders.filter((h) => h !== 'authorization').map((h) => [h, String(sent.headers[h])])),
        body: sent.body,
      },
      { signingDate: new Date(date.replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/, '$1-$2-$3T$4:$5:$6Z')) },
    );
    expect(sent.headers.authorization).toBe(expected.headers.authorization);
  });

  it('sends an array as NDJSON, one document a line, as _bulk wants it', async () => {
    const client = new OpenSearchClient({ url });
    answer = { status: 200, body: { items: [] } };
    await client.request('POST', '/_bulk', { body: [{ index: { _id: 'a' } }, { name: 'Ada' }] });
    await client.close();
    const sent = received.at(-1)!;
    expect(sent.headers['content-type']).toBe('application/x-ndjson');
    expect(sent.body).toBe('{"index":{"_id":"a"}}\n{"name":"Ada"}\n');
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('answers an allowed status, and throws any other error status with its reason', async () => {
    const client = new OpenSearchClient({ url });
    answer = { status: 404, body: undefined };
    await expect(client.request('HEAD', '/_alias/missing', { allow: [404] })).resolves.toMatchObject({ statusCode: 404 });
    answer = { status: 400, body: { error: { type: 'parse_exception', reason: 'bad search_after' } } };
    const error = await client.request('POST', '/x/_search', { body: {} }).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(OpenSearchError);
    expect(error).toMatchObject({ statusCode: 400, message: expect.stringContaining('bad search_after') });
  });
});

/** The signer's hash, from node:crypto, written apart from the client's so the test checks it independently. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
