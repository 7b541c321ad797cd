import { describe, expect, it } from 'vitest';
import { Deliverer, DeliveryFailedError, type DeliveryPayload } from '../../infra/local/delivery.ts';
import { admitShards, releaseChildren, type ShardState } from '../../infra/local/stream-poller.ts';
import { MemoryDeadLetterStore, type DeliveryTarget } from '../../shared/events/dead-letters.ts';
import type { KithEvent } from '../../shared/events/types.ts';

const target: DeliveryTarget = { kind: 'subscription', name: 'field-history', function: 'history' };
const eventNumber = (n: number) => ({ detail: { eventId: `e${n}` } }) as unknown as KithEvent;
const idOf = (payload: DeliveryPayload) => (payload as KithEvent).detail.eventId;

function deliverer(invoke: (payload: DeliveryPayload) => Promise<unknown>, concurrency = 4) {
  const deadLetters = new MemoryDeadLetterStore();
  const instance = new Deliverer({
    invoke: (_name, payload) => invoke(payload),
    deadLetters,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    concurrency,
  });
  return { instance, deadLetters };
}

describe('local delivery (Lambda asynchronous invocation)', () => {
  it('retries a failing delivery and succeeds without a dead letter', async () => {
    let calls = 0;
    const { instance, deadLetters } = deliverer(async () => {
      if (++calls < 3) throw new Error('flaky');
    });
    expect(await instance.deliver(target, eventNumber(1))).toEqual({ delivered: true, attempts: 3 });
    expect(await deadLetters.ids()).toEqual([]);
  });

  it('dead-letters a delivery after its last attempt, with the event, target, error and attempts', async () => {
    const { instance, deadLetters } = deliverer(async () => {
      throw new TypeError('cannot read id');
    });
    const outcome = await instance.deliver(target, eventNumber(7));
    expect(outcome).toMatchObject({ delivered: false, attempts: 3 });
    const [id] = await deadLetters.ids();
    expect(await deadLetters.get(id!)).toMatchObject({
      target,
      payload: eventNumber(7),
      error: { name: 'TypeError', message: 'cannot read id' },
      attempts: 3,
    });
  });

  it('gives each attempt its own copy of the event', async () => {
    const seen: unknown[] = [];
    const { instance } = deliverer(async (payload) => {
      seen.push(structuredClone(payload));
      (payload as { mutated?: boolean }).mutated = true;
      if (seen.length === 1) throw new Error('again');
    });
    await instance.deliver(target, eventNumber(1));
    expect(seen[1]).not.toHaveProperty('mutated');
  });

  it('runs at most `concurrency` deliveries at once and reports idle only when all settled', async () => {
    let running = 0;
    let peak = 0;
    const { instance } = deliverer(async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
    }, 3);
    for (let n = 0; n < 20; n++) void instance.deliver(target, eventNumber(n));
    expect(instance.backlog).toBe(20);
    await instance.idle();
    expect(instance.backlog).toBe(0);
    expect(peak).toBe(3);
  });

  it('throws DeliveryFailedError from a redelivery that fails again, without a new dead letter', async () => {
    const { instance, deadLetters } = deliverer(async () => {
      throw new Error('down');
    });
    const failure = await instance.redeliver(target, eventNumber(1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryFailedError);
    expect(failure).toMatchObject({ attempts: 3, message: 'down' });
    expect(await deadLetters.ids()).toEqual([]);
  });

  it('dead-letters what has not run when it stops, so nothing is lost', async () => {
    const delivered: string[] = [];
    const { instance, deadLetters } = deliverer(async (payload) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      delivered.push(idOf(payload));
    }, 1);
    for (let n = 0; n < 5; n++) void instance.deliver(target, eventNumber(n));
    await new Promise((resolve) => setTimeout(resolve, 1));
    await instance.stop();
    const letters = await Promise.all((await deadLetters.ids()).map((id) => deadLetters.get(id)));
    const kept = letters.map((l) => idOf(l!.payload));
    expect([...delivered, ...kept].sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(delivered.length).toBeGreaterThan(0);
  });
});

describe('shard lineage', () => {
  const shard = (id: string, parent?: string, closed = false) => ({
    ShardId: id,
    ...(parent ? { ParentShardId: parent } : {}),
    SequenceNumberRange: { StartingSequenceNumber: '1', ...(closed ? { EndingSequenceNumber: '9' } : {}) },
  });

  it('reads open shards from LATEST at start and skips closed ones', () => {
    const admitted = admitShards(new Map(), [shard('a', undefined, true), shard('b', 'a')], true);
    expect(admitted).toEqual([
      { id: 'a', startAt: 'LATEST', status: 'finished' },
      { id: 'b', parentId: 'a', startAt: 'LATEST', status: 'reading' },
    ]);
  });

  it('reads a child born after the start from its beginning, once its parent is drained', () => {
    const known = new Map<string, ShardState>([['a', { id: 'a', startAt: 'LATEST', status: 'reading' }]]);
    const [child] = admitShards(known, [shard('a', undefined, true), shard('c', 'a')], false);
    expect(child).toEqual({ id: 'c', parentId: 'a', startAt: 'TRIM_HORIZON', status: 'waiting' });
    known.set('c', child!);
    releaseChildren(known);
    expect(known.get('c')!.status).toBe('waiting');
    known.get('a')!.status = 'finished';
    releaseChildren(known);
    expect(known.get('c')!.status).toBe('reading');
  });

  it('reads a child at once when its parent is already gone from the stream', () => {
    expect(admitShards(new Map(), [shard('d', 'expired-parent')], false)).toEqual([
      { id: 'd', parentId: 'expired-parent', startAt: 'TRIM_HORIZON', status: 'reading' },
    ]);
  });
});
