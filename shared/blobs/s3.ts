import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobInfo, BlobLink, BlobStorage } from './blob-storage.ts';

/** The bucket the CDK stack creates for functions that declare `bucket` access. */
export class S3BlobStorage implements BlobStorage {
  private readonly s3: S3Client;
  private readonly bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  async uploadLink(key: string, options: { contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<BlobLink> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType });
    const url = await getSignedUrl(this.s3, command, {
      expiresIn: options.expiresInSeconds,
      signableHeaders: new Set(['content-type']),
    });
    return { url, method: 'PUT', headers: { 'content-type': options.contentType }, expiresAt: expiry(options.expiresInSeconds) };
  }

  async downloadLink(
    key: string,
    options: { fileName: string; contentType: string; expiresInSeconds: number },
  ): Promise<BlobLink> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentType: options.contentType,
      ResponseContentDisposition: `attachment; filename="${options.fileName.replace(/[^\w.-]/g, '_')}"`,
    });
    const url = await getSignedUrl(this.s3, command, { expiresIn: options.expiresInSeconds });
    return { url, method: 'GET', headers: {}, expiresAt: expiry(options.expiresInSeconds) };
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { bytes: head.ContentLength ?? 0 };
    } catch (error) {
      if (error instanceof NotFound || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        return undefined;
      }
      throw error;
    }
  }

  async read(key: string): Promise<Readable> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return object.Body as Readable;
  }

  async write(key: string, body: string | Buffer | Readable, contentType: string): Promise<void> {
    // Multipart under the hood: an export streams out without being held in memory.
    await new Upload({ client: this.s3, params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType } }).done();
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

function expiry(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}
