import { describe, expect, it } from 'vitest';
import { billedUnits, itemSize } from '../../bench/lib/capacity.ts';

const shape = { gsiPartitionKeys: ['gsi1pk'] };
const small = { pk: { S: 'CONTACT#1' }, sk: { S: 'PROFILE' } };
const sized = (bytes: number) => ({ pk: { S: 'x' }, body: { S: 'y'.repeat(bytes - 'pk'.length - 1 - 'body'.length) } });

describe('DynamoDB billing rules', () => {
  it('sizes items by attribute names and values', () => {
    expect(itemSize(small)).toBe(2 + 9 + 2 + 7);
    expect(itemSize({ n: { N: '123' } })).toBe(1 + 1 + 2);
    expect(itemSize({ l: { L: [{ S: 'ab' }, { BOOL: true }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemSize(sized(1024))).toBe(1024);
  });

  it('bills a two-item transaction four units where DynamoDB Local reports two', () => {
    const input = { TransactItems: [{ Put: { Item: small } }, { Put: { Item: { pk: { S: 'EMAIL#a' }, sk: { S: 'CLAIM' } } } }] };
    expect(billedUnits('TransactWriteItems', input, {}, shape)).toEqual({ rcu: 0, wcu: 4 });
  });

  it('rounds each write up to whole kilobytes and adds one index write per GSI the item is in', () => {
    expect(billedUnits('PutItem', { Item: sized(1025) }, {}, shape).wcu).toBe(2);
    expect(billedUnits('PutItem', { Item: { ...small, gsi1pk: { S: 'L' } } }, {}, shape).wcu).toBe(2);
  });

  it('halves eventually consistent reads and rounds a query over the sum of its items', () => {
    expect(billedUnits('GetItem', { ConsistentRead: true }, { item: small }, shape).rcu).toBe(1);
    expect(billedUnits('GetItem', {}, { item: small }, shape).rcu).toBe(0.5);
    const items = Array.from({ length: 5 }, () => sized(1024));
    expect(billedUnits('Query', {}, { items }, shape).rcu).toBe(1);
    expect(billedUnits('BatchGetItem', { RequestItems: { t: {} } }, { items }, shape).rcu).toBe(2.5);
  });
});
