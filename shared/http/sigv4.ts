import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4, type SignatureV4Init } from '@smithy/signature-v4';

/**
 * A SigV4 signer for the requests Kith sends itself (OpenSearch, presigned S3 links): the AWS
 * SDK's own signer, already in every bundle for DynamoDB, over node:crypto's SHA-256.
 */
export function sigV4Signer(options: SignatureV4Init): SignatureV4 {
  return new SignatureV4({ ...options, sha256: Sha256 });
}

/** SHA-256 and HMAC-SHA256 in the shape the signer asks for. */
class Sha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
