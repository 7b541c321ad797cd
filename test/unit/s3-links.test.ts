import { describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3BlobLinks } from '../../shared/blobs/s3-links.ts';

/**
 * The HTTP API signs S3 links without the S3 client: each link must be the one the AWS SDK's own
 * presigner writes for the same object, date and credentials (minus the empty-body checksum the
 * SDK adds by default, which would make S3 refuse the real upload).
 */
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session',
};
const signingDate = new Date('2026-03-01T10:00:00Z');
const links = new S3BlobLinks({
  bucket: 'kith-files-1a2b3c',
  region: 'eu-west-1',
  credentials: async () => credentials,
  now: () => signingDate,
});
const s3 = new S3Client({
  region: 'eu-west-1',
  credentials,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

describe('presigned S3 links', () => {
  it('upload: the SDK presigner’s PUT link, content type signed, no checksum of an empty body', async () => {
    const link = await links.uploadLink('uploads/01JQ8Z/source', {
      contentType: 'text/csv',
      maxBytes: 1e6,
      expiresInSeconds: 900,
    });
    const expected = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: 'kith-files-1a2b3c', Key: 'uploads/01JQ8Z/source', ContentType: 'text/csv' }),
      { expiresIn: 900, signableHeaders: new Set(['content-type']), signingDate },
    );
    expect(link.url).toBe(expected);
    expect(link).toMatchObject({ method: 'PUT', headers: { 'content-type': 'text/csv' }, expiresAt: '2026-03-01T10:15:00.000Z' });
    expect(new URL(link.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    expect([...new URL(link.url).searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
  });

  it('download: the SDK presigner’s GET link, with the file name and type S3 answers with', async () => {
    const link = await links.downloadLink('exports/01JQ8Z/contacts.csv', {
      fileName: 'kith contacts (March).csv',
      contentType: 'text/csv; charset=utf-8',
      expiresInSeconds: 900,
    });
    const expected = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: 'kith-files-1a2b3c',
        Key: 'exports/01JQ8Z/contacts.csv',
        ResponseContentType: 'text/csv; charset=utf-8',
        ResponseContentDisposition: 'attachment; filename="kith_contacts__March_.csv"',
      }),
      { expiresIn: 900, signingDate },
    );
    expect(link.url).toBe(expected);
    expect(link.method).toBe('GET');
  });
});
