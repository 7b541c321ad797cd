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
import type { BlobInfo, BlobLink, BlobLinks, BlobStorage } from './blob-storage.ts';

/** The bucket the CDK stack creates for functions that declare `bucket` access. */
export class S3BlobStorage implements BlobStorage {
  private readonly s3: S3Client;
  private readonly bucket: string;
  /** Presigned links (S3BlobLinks): one place signs them, for this storage and the HTTP API alike. */
  private readonly links: Pick<BlobLinks, 'uploadLink' | 'downloadLink'>;

  constructor(s3: S3Client, bucket: string, links: Pick<BlobLinks, 'uploadLink' | 'downloadLink'>) {
    this.s3 = s3;
    this.bucket = bucket;
    this.links = links;
  }

  uploadLink(key: string, options: { contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<BlobLink> {
    return this.links.uploadLink(key, options);
  }

  downloadLink(key: string, options: { fileName: string; contentType: string; expiresInSeconds: number }): Promise<BlobLink> {
    return this.links.downloadLink(key, options);
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
