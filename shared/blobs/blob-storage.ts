import type { Readable } from 'node:stream';

/** A link a client can use without Kith credentials: a presigned S3 URL, or the local stand-in. */
export interface BlobLink {
  url: string;
  method: 'GET' | 'PUT';
  /** Headers the client must send with the request. */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface BlobInfo {
  bytes: number;
}

/**
 * Where files live: uploaded imports, exports and error reports. S3 in AWS (presigned links),
 * a folder under KITH_HOME locally (links served by the local runtime). Keys are paths such
 * as `imports/<jobId>/source`.
 */
export interface BlobStorage {
  uploadLink(key: string, options: { contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<BlobLink>;
  downloadLink(key: string, options: { fileName: string; contentType: string; expiresInSeconds: number }): Promise<BlobLink>;
  /** Size of a stored blob, or `undefined` when there is none. */
  stat(key: string): Promise<BlobInfo | undefined>;
  read(key: string): Promise<Readable>;
  write(key: string, body: string | Buffer | Readable, contentType: string): Promise<void>;
  delete(key: string): Promise<void>;
}
