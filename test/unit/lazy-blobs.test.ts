import { describe, expect, it, vi } from 'vitest';
import { lazyBlobStorage } from '../../shared/blobs/lazy.ts';
import type { BlobStorage } from '../../shared/blobs/blob-storage.ts';

describe('lazyBlobStorage', () => {
  it('builds the storage on first use, once, and forwards every call', async () => {
    const real = {
      stat: vi.fn(async () => ({ size: 3 })),
      delete: vi.fn(async () => undefined),
    } as unknown as BlobStorage;
    const load = vi.fn(async () => real);
    const storage = lazyBlobStorage(load);
    expect(load).not.toHaveBeenCalled();

    await expect(storage.stat('a')).resolves.toEqual({ size: 3 });
    await storage.delete('b');
    expect(load).toHaveBeenCalledTimes(1);
    expect(real.stat).toHaveBeenCalledWith('a');
    expect(real.delete).toHaveBeenCalledWith('b');
  });
});
