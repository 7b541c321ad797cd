import { S3Client } from '@aws-sdk/client-s3';
import type { BlobStorage } from './blob-storage.ts';
import { localBlobStorageFromEnv } from './local.ts';
import { S3BlobStorage } from './s3.ts';
import { s3BlobLinksFromEnv } from './links-from-env.ts';

/** The bucket in AWS (`BUCKET_NAME`, set by the stack); otherwise a folder under KITH_HOME. */
export function blobStorageFromEnv(env: NodeJS.ProcessEnv = process.env): BlobStorage {
  if (env.BUCKET_NAME) {
    return new S3BlobStorage(new S3Client({ region: env.AWS_REGION }), env.BUCKET_NAME, s3BlobLinksFromEnv(env, env.BUCKET_NAME));
  }
  return localBlobStorageFromEnv(env);
}
