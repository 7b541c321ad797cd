import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { BlobStorage } from './blob-storage.ts';
import { LocalBlobStorage } from './local.ts';
import { S3BlobStorage } from './s3.ts';

/** The bucket in AWS (`BUCKET_NAME`, set by the stack); otherwise a folder under KITH_HOME. */
export function blobStorageFromEnv(env: NodeJS.ProcessEnv = process.env): BlobStorage {
  if (env.BUCKET_NAME) return new S3BlobStorage(new S3Client({ region: env.AWS_REGION }), env.BUCKET_NAME);
  const root = env.KITH_BLOB_DIR ?? join(env.KITH_HOME ?? join(tmpdir(), 'kith'), 'blobs');
  return new LocalBlobStorage({ root, baseUrl: env.KITH_BLOB_URL });
}
