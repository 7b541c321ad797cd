import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryDeadLetterStore,
  StoredDeadLetterQueue,
  type DeadLetter,
  type DeadLetterStore,
  type NewDeadLetter,
} from '../../shared/events/dead-letters.ts';
import { FileDeadLetterStore } from '../../infra/local/dead-letter-files.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import type { KithEvent } from '../../shared/events/types.ts';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function letter(n: number): NewDeadLetter {
  return {
    target: { kind: 'subscription', name: 'field-history', function: 'history' },
    payload: { 'detail-type': 'contact.updated', detail: { eventId: `e${n}` } } as unknown as KithEvent,
    error: { name: 'Error', message: `failure ${n}` },
    attempts: 3,
    failedAt: '2026-03-02T09:00:00.000Z',
  };
}

const adapters: [string, () => DeadLetterStore][] = [
  ['in memory', () => new MemoryDeadLetterStore()],
  [
    'as files',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'kith-dlq-'));
      directories.push(directory);
      return new FileDeadLetterStore(join(directory, 'dlq'));
    },
  ],
];

describe.each(adapters)('the dead-letter store, %s', (_name, make) => {
  it('keeps a letter whole, under a time-ordered id', async () => {
    const store = make();
    const first = await store.add(letter(1));
    const second = await store.add(letter(2));
    expect(first.id < second.id).toBe(true);
    expect(await store.get(first.id)).toEqual({ ...letter(1), id: first.id });
    expect(await store.ids()).toEqual([first.id, second.id]);
  });

  it('replaces and removes letters, and ignores ids it never issued', async () => {
    const store = make();
    const stored = await store.add(letter(1));
    await store.replace({ ...stored, attempts: 6 });
    expect((await store.get(stored.id))?.attempts).toBe(6);
    await store.remove(stored.id);
    expect(await store.get(stored.id)).toBeUndefined();
    expect(await store.get('../../etc/passwd')).toBeUndefined();
    await store.replace({ ...stored, id: '01J00000000000000000000000' });
    expect(await store.ids()).toEqual([]);
  });
});

describe('dead letters as files', () => {
  it('writes one private JSON file per letter and no temporary files', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'kith-dlq-'));
    directories.push(directory);
    const store = new FileDeadLetterStore(join(directory, 'dlq'));
    const stored = await store.add(letter(1));
    expect(readdirSync(join(directory, 'dlq'))).toEqual([`${stored.id}.json`]);
    expect(statSync(join(directory, 'dlq', `${stored.id}.json`)).mode & 0o777).toBe(0o600);
  });
});

describe('the dead-letter queue over a store', () => {
  async function queueWith(count: number, redeliver: (letter: DeadLetter) => Promise<void> = async () => undefined) {
    const store = new MemoryDeadLetterStore();
    const letters: DeadLetter[] = [];
    for (let n = 1; n <= count; n++) letters.push(await store.add(letter(n)));
    return { store, letters, queue: new StoredDeadLetterQueue(store, redeliver, () => new Date('2026-03-03T00:00:00.000Z')) };
  }

  it('lists newest first, page by page, without gaps or repeats', async () => {
    const { letters, queue } = await queueWith(5);
    const first = await queue.list({ limit: 2 });
    const second = await queue.list({ limit: 2, cursor: first.nextCursor! });
    const third = await queue.list({ limit: 2, cursor: second.nextCursor! });
    const seen = [...first.results, ...second.results, ...third.results].map((l) => l.id);
    expect(seen).toEqual(letters.map((l) => l.id).reverse());
    expect(third.nextCursor).toBeNull();
  });

  it('refuses a cursor it never returned', async () => {
    const { queue } = await queueWith(1);
    await expect(queue.list({ limit: 2, cursor: 'nope' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('removes what it redelivers, keeps what fails again with the new error and attempts', async () => {
    const { store, letters, queue } = await queueWith(3, async (l) => {
      if (l.error.message === 'failure 2') throw Object.assign(new Error('still broken'), { attempts: 3 });
    });
    const report = await queue.redrive();
    expect(report.redriven).toEqual([letters[0]!.id, letters[2]!.id]);
    expect(report.failed).toEqual([{ id: letters[1]!.id, error: 'still broken' }]);
    expect(await store.ids()).toEqual([letters[1]!.id]);
    expect(await store.get(letters[1]!.id)).toMatchObject({
      attempts: 6,
      error: { message: 'still broken' },
      failedAt: '2026-03-03T00:00:00.000Z',
    });
  });

  it('redrives only the letters named, and reports unknown ones', async () => {
    const delivered: string[] = [];
    const { store, letters, queue } = await queueWith(3, async (l) => {
      delivered.push(l.id);
    });
    const report = await queue.redrive([letters[1]!.id, 'missing']);
    expect(delivered).toEqual([letters[1]!.id]);
    expect(report).toEqual({ redriven: [letters[1]!.id], failed: [], notFound: ['missing'] });
    expect(await store.ids()).toHaveLength(2);
  });
});
