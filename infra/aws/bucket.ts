import { Duration } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { StageSettings } from './stage.ts';

/** Key prefixes of the imports/exports bucket and how long their objects live. */
export const BUCKET_PREFIXES = {
  /** Files users upload to import; the import worker reads them once. */
  uploads: { prefix: 'uploads/', expireAfterDays: 7 },
  /** Files the export worker writes; users download them through short-lived links. */
  exports: { prefix: 'exports/', expireAfterDays: 7 },
} as const;

/**
 * The bucket for imports and exports: private, encrypted, TLS only, and self-cleaning — every
 * object under a known prefix expires, and so do abandoned multipart uploads.
 */
export function createFilesBucket(scope: Construct, stage: StageSettings): Bucket {
  const accessLogs = new Bucket(scope, 'FilesAccessLogs', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: stage.removalPolicy,
    lifecycleRules: [{ expiration: Duration.days(90) }],
  });

  return new Bucket(scope, 'Files', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'files/',
    removalPolicy: stage.removalPolicy,
    lifecycleRules: [
      ...Object.values(BUCKET_PREFIXES).map(({ prefix, expireAfterDays }) => ({
        prefix,
        expiration: Duration.days(expireAfterDays),
      })),
      { abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
  });
}
