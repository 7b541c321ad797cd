import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { BlobLinks } from './blob-storage.ts';
import { localBlobStorageFromEnv } from './local.ts';
import { S3BlobLinks } from './s3-links.ts';

/** Links to the bucket in AWS (`BUCKET_NAME`); locally, to the folder the local runtime serves. */
export function blobLinksFromEnv(env: NodeJS.ProcessEnv = process.env): BlobLinks {
  return env.BUCKET_NAME ? s3BlobLinksFromEnv(env, env.BUCKET_NAME) : localBlobStorageFromEnv(env);
}

export function s3BlobLinksFromEnv(env: NodeJS.ProcessEnv, bucket: string): S3BlobLinks {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set: S3 links name the bucket’s region');
  return new S3BlobLinks({ bucket, region, credentials: defaultProvider() });
}
