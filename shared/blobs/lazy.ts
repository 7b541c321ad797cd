import type { BlobStorage } from './blob-storage.ts';

/**
 * Blob storage built on its first use: a function that rarely reads or writes files (the HTTP API
 * does only for an erasure) does not load and construct the S3 client at every cold start.
 */
export function lazyBlobStorage(load: () => Promise<BlobStorage>): BlobStorage {
  let loaded: Promise<BlobStorage> | undefined;
  const storage = () => (loaded ??= load());
  return {
    uploadLink: async (key, options) => (await storage()).uploadLink(key, options),
    downloadLink: async (key, options) => (await storage()).downloadLink(key, options),
    stat: async (key) => (await storage()).stat(key),
    read: async (key) => (await storage()).read(key),
    write: async (key, body, contentType) => (await storage()).write(key, body, contentType),
    delete: async (key) => (await storage()).delete(key),
  };
}
