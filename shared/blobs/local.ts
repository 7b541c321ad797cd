import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobInfo, BlobLink, BlobStorage } from './blob-storage.ts';

/** What a local link grants, signed like a presigned URL so the link alone is the permission. */
export interface LocalLinkGrant {
  key: string;
  method: 'GET' | 'PUT';
  expires: number;
  maxBytes?: number;
  contentType?: string;
  fileName?: string;
}

/**
 * Files under a folder (KITH_HOME/blobs), with links to the local runtime's blob server, which
 * plays S3's part: `PUT`/`GET {baseUrl}/{key}?grant=…&sig=…`.
 */
export class LocalBlobStorage implements BlobStorage {
  readonly root: string;
  private readonly secret: Buffer;
  /** Set by the runtime once its blob server listens. */
  baseUrl: string | undefined;

  constructor(options: { root: string; secret?: Buffer; baseUrl?: string }) {
    this.root = resolve(options.root);
    this.secret = options.secret ?? randomBytes(32);
    this.baseUrl = options.baseUrl;
  }

  async uploadLink(key: string, options: { contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<BlobLink> {
    const grant: LocalLinkGrant = {
      key,
      method: 'PUT',
      expires: Date.now() + options.expiresInSeconds * 1000,
      maxBytes: options.maxBytes,
    };
    return {
      url: this.sign(grant),
      method: 'PUT',
      headers: { 'content-type': options.contentType },
      expiresAt: new Date(grant.expires).toISOString(),
    };
  }

  async downloadLink(
    key: string,
    options: { fileName: string; contentType: string; expiresInSeconds: number },
  ): Promise<BlobLink> {
    const grant: LocalLinkGrant = {
      key,
      method: 'GET',
      expires: Date.now() + options.expiresInSeconds * 1000,
      contentType: options.contentType,
      fileName: options.fileName,
    };
    return { url: this.sign(grant), method: 'GET', headers: {}, expiresAt: new Date(grant.expires).toISOString() };
  }

  /** The grant a link carries, when its signature is ours and it has not expired. */
  verify(url: URL): LocalLinkGrant | undefined {
    const encoded = url.searchParams.get('grant');
    const signature = url.searchParams.get('sig');
    if (!encoded || !signature) return undefined;
    const expected = Buffer.from(this.signature(encoded));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const grant = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as LocalLinkGrant;
      return grant.expires > Date.now() ? grant : undefined;
    } catch {
      return undefined;
    }
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { bytes: info.size } : undefined;
    } catch {
      return undefined;
    }
  }

  async read(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    await stat(path);
    return createReadStream(path);
  }

  async write(key: string, body: string | Buffer | Readable, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write beside and rename, so a reader never sees half a file.
    const partial = `${path}.${randomBytes(4).toString('hex')}.partial`;
    if (typeof body === 'string' || Buffer.isBuffer(body)) await writeFile(partial, body);
    else await pipeline(body, createWriteStream(partial));
    await rename(partial, path);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`Blob key ${key} leaves the blob folder`);
    return path;
  }

  private sign(grant: LocalLinkGrant): string {
    if (!this.baseUrl) throw new Error('The local blob server is not running, so there is no link to give.');
    const encoded = Buffer.from(JSON.stringify(grant)).toString('base64url');
    return `${this.baseUrl}/${grant.key.split('/').map(encodeURIComponent).join('/')}?grant=${encoded}&sig=${this.signature(encoded)}`;
  }

  private signature(encoded: string): string {
    return createHmac('sha256', this.secret).update(encoded).digest('base64url');
  }
}
