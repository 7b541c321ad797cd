import { VersionMismatchError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';

/**
 * Read-modify-write under optimistic locking. With `ifMatch` the client pinned a version, so a
 * mismatch is its 412; without it, a concurrent writer only means: read again and re-apply.
 */
export async function writeWithRetry<T extends { id: string; version: number }>(options: {
  entity: string;
  id: string;
  ifMatch: number | undefined;
  load: () => Promise<T>;
  write: (current: T) => Promise<T>;
}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await options.load();
    if (options.ifMatch !== undefined && current.version !== options.ifMatch) {
      throw new VersionMismatchError(options.entity, options.id, current.version);
    }
    try {
      return await options.write(current);
    } catch (error) {
      // Only a race on this very record is worth re-reading; another record's condition stays failed.
      const retry =
        error instanceof VersionMismatchError &&
        error.entity === options.entity &&
        error.id === options.id &&
        options.ifMatch === undefined &&
        attempt < LIMITS.maxOptimisticRetries;
      if (!retry) throw error;
    }
  }
}
