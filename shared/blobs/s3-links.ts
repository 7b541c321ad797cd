import type { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, HttpRequest } from '@smithy/types';
import { sigV4Signer } from '../http/sigv4.ts';
import type { BlobInfo, BlobLink, BlobLinks } from './blob-storage.ts';

/**
 * Presigned S3 links and a presigned HEAD, signed with the AWS SDK's own SigV4 signer and no S3
 * client: the HTTP API hands out upload and download links on every import and export, and the
 * S3 client, its checksums and the presigner would add ~170 KB to its bundle. The links carry no
 * checksum of their (empty) body either, which the SDK's presigner adds by default and S3 then
 * holds the real upload to (`x-amz-checksum-crc32=AAAAAA==`).
 */
export class S3BlobLinks implements BlobLinks {
  private readonly bucket: string;
  private readonly region: string;
  private readonly signer: SignatureV4;
  private readonly now: () => Date;

  constructor(options: {
    bucket: string;
    region: string;
    credentials: AwsCredentialIdentityProvider;
    /** When links are signed (tests fix it). */
    now?: () => Date;
  }) {
    this.bucket = options.bucket;
    this.region = options.region;
    this.now = options.now ?? (() => new Date());
    // S3 signs the path as sent (no second encoding) and an unsigned payload.
    this.signer = sigV4Signer({
      service: 's3',
      region: options.region,
      credentials: options.credentials,
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  /** `maxBytes` cannot be held to by a presigned PUT; the import refuses an oversized file when it starts. */
  async uploadLink(key: string, options: { contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<BlobLink> {
    const url = await this.presign('PUT', key, options.expiresInSeconds, {
      operation: 'PutObject',
      headers: { 'content-type': options.contentType },
    });
    return {
      url,
      method: 'PUT',
      headers: { 'content-type': options.contentType },
      expiresAt: this.expiry(options.expiresInSeconds),
    };
  }

  async downloadLink(
    key: string,
    options: { fileName: string; contentType: string; expiresInSeconds: number },
  ): Promise<BlobLink> {
    const url = await this.presign('GET', key, options.expiresInSeconds, {
      operation: 'GetObject',
      query: {
        'response-content-type': options.contentType,
        'response-content-disposition': `attachment; filename="${options.fileName.replace(/[^\w.-]/g, '_')}"`,
      },
    });
    return { url, method: 'GET', headers: {}, expiresAt: this.expiry(options.expiresInSeconds) };
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    const url = await this.presign('HEAD', key, 60, { operation: 'HeadObject' });
    const { request } = await import('node:https');
    return new Promise((resolve, reject) => {
      const head = request(url, { method: 'HEAD', timeout: 10_000 }, (response) => {
        response.resume();
        if (response.statusCode === 404) return resolve(undefined);
        if (response.statusCode !== 200) return reject(new Error(`S3 answered ${response.statusCode} to HEAD ${key}`));
        resolve({ bytes: Number(response.headers['content-length'] ?? 0) });
      });
      head.on('timeout', () => head.destroy(new Error(`S3 did not answer HEAD ${key} in time`)));
      head.on('error', reject);
      head.end();
    });
  }

  /** A presigned URL of the object, in the form the AWS SDK's presigner writes (virtual-hosted bucket). */
  private async presign(
    method: string,
    key: string,
    expiresInSeconds: number,
    request: { operation: string; headers?: Record<string, string>; query?: Record<string, string> },
  ): Promise<string> {
    const hostname = `${this.bucket}.s3.${this.region}.amazonaws.com`;
    const path = `/${key.split('/').map(escape).join('/')}`;
    const unsigned: HttpRequest = {
      method,
      protocol: 'https:',
      hostname,
      path,
      query: { ...request.query, 'x-id': request.operation },
      // Spelled as the SDK's presigner spells it: the signer hoists it into the query as is.
      headers: { host: hostname, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD', ...request.headers },
    };
    const signed = await this.signer.presign(unsigned, {
      expiresIn: expiresInSeconds,
      signingDate: this.now(),
      signableHeaders: new Set(Object.keys(request.headers ?? {})),
      unsignableHeaders: new Set(['content-type']),
    });
    const query = Object.entries(signed.query ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${escape(name)}=${escape(String(value))}`)
      .join('&');
    return `https://${hostname}${path}?${query}`;
  }

  private expiry(seconds: number): string {
    return new Date(this.now().getTime() + seconds * 1000).toISOString();
  }
}

/** RFC 3986 escaping, as S3 and SigV4 want it (encodeURIComponent leaves `!'()*` alone). */
function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
