import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetRecordsCommandInput,
  type GetShardIteratorCommandInput,
} from '@aws-sdk/client-dynamodb-streams';
import { StreamPoller } from '../../infra/local/stream-poller.ts';

/**
 * A stream whose shards split and whose iterators expire on demand: failure paths DynamoDB
 * Local cannot produce when a test wants them (its shards do not roll, its iterators live 15 min).
 */
class SimulatedStream {
  readonly shards = new Map<string, { parent?: string; records: string[]; closed: boolean }>();
  readonly expireNext = new Set<string>();
  readonly failNext = new Set<string>();
  private sequence = 0;
  private readonly sequences = new Map<string, number>();

  addShard(id: string, parent?: string): void {
    this.shards.set(id, { parent, records: [], closed: false });
  }

  write(shard: string, ...names: string[]): void {
    for (const name of names) {
      this.shards.get(shard)!.records.push(name);
      this.sequences.set(name, ++this.sequence);
    }
  }

  describe() {
    return {
      StreamDescription: {
        Shards: [...this.shards].map(([id, shard]) => ({
          ShardId: id,
          ...(shard.parent ? { ParentShardId: shard.parent } : {}),
          SequenceNumberRange: { StartingSequenceNumber: '1', ...(shard.closed ? { EndingSequenceNumber: '9' } : {}) },
        })),
      },
    };
  }

  iterator(input: GetShardIteratorCommandInput) {
    const shard = this.shards.get(input.ShardId!)!;
    const position =
      input.ShardIteratorType === 'LATEST'
        ? shard.records.length
        : input.ShardIteratorType === 'TRIM_HORIZON'
          ? 0
          : shard.records.findIndex((name) => String(this.sequences.get(name)) === input.SequenceNumber) + 1;
    return { ShardIterator: `${input.ShardId}|${position}` };
  }

  getRecords(input: GetRecordsCommandInput) {
    const [id, at] = input.ShardIterator!.split('|') as [string, string];
    if (this.expireNext.delete(id)) throw new ExpiredIteratorException({ message: 'expired', $metadata: {} });
    if (this.failNext.delete(id)) throw new Error('connection reset');
    const shard = this.shards.get(id)!;
    const position = Number(at);
    const names = shard.records.slice(position, position + (input.Limit ?? 1000));
    const next = position + names.length;
    const drained = shard.closed && next >= shard.records.length;
    return {
      Records: names.map((name) => ({
        eventID: name,
        eventName: 'INSERT' as const,
        dynamodb: { SequenceNumber: String(this.sequences.get(name)), Keys: { pk: { S: name } } },
      })),
      ...(drained ? {} : { NextShardIterator: `${id}|${next}` }),
    };
  }
}

const clients: { restore(): void }[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.restore();
});

function pollerOver(stream: SimulatedStream, maxRecordsPerRead = 1000) {
  const client = new DynamoDBStreamsClient({ region: 'local' });
  const mock = mockClient(client);
  clients.push(mock);
  mock.on(DescribeStreamCommand).callsFake(() => stream.describe());
  mock.on(GetShardIteratorCommand).callsFake((input) => stream.iterator(input));
  mock.on(GetRecordsCommand).callsFake((input) => stream.getRecords(input));
  const seen: string[] = [];
  const errors: unknown[] = [];
  const poller = new StreamPoller({
    client,
    streamArn: 'arn:aws:dynamodb:local:000000000000:table/t/stream/1',
    onRecords: async (records) => {
      seen.push(...records.map((r) => r.eventID!));
    },
    pollIntervalMs: 1,
    shardRefreshMs: 0,
    maxRecordsPerRead,
    onError: (_message, error) => errors.push(error),
  });
  return { poller, seen, errors };
}

describe('the stream poller', () => {
  it('reads only what is written after it started', async () => {
    const stream = new SimulatedStream();
    stream.addShard('a');
    stream.write('a', 'before');
    const { poller, seen } = pollerOver(stream);
    await poller.start();
    stream.write('a', 'after-1', 'after-2');
    await poller.caughtUp();
    await poller.stop();
    expect(seen).toEqual(['after-1', 'after-2']);
  });

  it('renews an expired iterator after the last record it read, losing and repeating nothing', async () => {
    const stream = new SimulatedStream();
    stream.addShard('a');
    const { poller, seen, errors } = pollerOver(stream, 2);
    await poller.start();
    stream.write('a', 'r1', 'r2');
    await poller.caughtUp();
    stream.expireNext.add('a');
    stream.write('a', 'r3', 'r4', 'r5');
    await poller.caughtUp();
    await poller.stop();
    expect(seen).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(errors).toEqual([]);
  });

  it('reports a failed read, backs off and resumes where it was', async () => {
    const stream = new SimulatedStream();
    stream.addShard('a');
    const { poller, seen, errors } = pollerOver(stream);
    await poller.start();
    stream.write('a', 'r1');
    stream.failNext.add('a');
    await poller.caughtUp();
    stream.write('a', 'r2');
    await poller.caughtUp();
    await poller.stop();
    expect(seen).toEqual(['r1', 'r2']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['connection reset']);
  });

  it('drains a closed parent shard before reading its children, across a split', async () => {
    const stream = new SimulatedStream();
    stream.addShard('parent');
    const { poller, seen } = pollerOver(stream, 1);
    await poller.start();
    stream.write('parent', 'p1', 'p2', 'p3');
    // The split: the parent closes, two children take over; each child already holds records.
    stream.shards.get('parent')!.closed = true;
    stream.addShard('child-a', 'parent');
    stream.addShard('child-b', 'parent');
    stream.write('child-a', 'a1', 'a2');
    stream.write('child-b', 'b1');
    await poller.caughtUp();
    await poller.stop();
    expect(seen.slice(0, 3)).toEqual(['p1', 'p2', 'p3']);
    expect(seen.filter((name) => name.startsWith('a'))).toEqual(['a1', 'a2']);
    expect([...seen].sort()).toEqual(['a1', 'a2', 'b1', 'p1', 'p2', 'p3']);
  });

  it('resolves caughtUp only after reading what was written before the call', async () => {
    const stream = new SimulatedStream();
    stream.addShard('a');
    const { poller, seen } = pollerOver(stream, 1);
    await poller.start();
    stream.write('a', ...Array.from({ length: 20 }, (_, i) => `r${i}`));
    await poller.caughtUp();
    expect(seen).toHaveLength(20);
    await poller.stop();
  });
});
