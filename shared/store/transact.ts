import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConflictError } from '../domain/errors.ts';
import type { Store } from './client.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction, with the domain error its failed condition means. */
export interface GuardedWrite {
  item: TransactItem;
  /** Called with the item as it stood when the condition failed (if it existed). */
  onConditionFailed?: (existing: Record<string, unknown> | undefined) => Error;
}

/**
 * Runs the writes as one transaction and turns a cancelled transaction into the domain error
 * of the first write whose condition failed (claim taken → 409, version moved → 412 ...).
 */
export async function transactWrite(store: Store, writes: GuardedWrite[]): Promise<void> {
  if (writes.length === 1 && !writes[0]!.item.ConditionCheck) return singleWrite(store, writes[0]!);
  const items = writes.map(({ item, onConditionFailed }) => (onConditionFailed ? withOldValues(item) : item));
  try {
    await store.db.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    for (const [index, reason] of reasons.entries()) {
      if (reason.Code === 'ConditionalCheckFailed') {
        const existing = reason.Item ? unmarshall(reason.Item) : undefined;
        const mapped = writes[index]?.onConditionFailed?.(existing);
        if (mapped) throw mapped;
      }
    }
    if (reasons.some((r) => r.Code === 'TransactionConflict')) {
      throw new ConflictError('Another change to the same record was in progress; retry the request.');
    }
    throw error;
  }
}

/**
 * A lone write needs no transaction, and a transaction bills twice the capacity: a single Put,
 * Update or Delete is just as conditional and atomic at half the cost.
 */
async function singleWrite(store: Store, { item, onConditionFailed }: GuardedWrite): Promise<void> {
  const old = onConditionFailed ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {};
  try {
    if (item.Put) await store.db.send(new PutCommand({ ...item.Put, ...old }));
    else if (item.Update) await store.db.send(new UpdateCommand({ ...item.Update, ...old }));
    else if (item.Delete) await store.db.send(new DeleteCommand({ ...item.Delete, ...old }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException && onConditionFailed) {
      throw onConditionFailed(error.Item ? unmarshall(error.Item) : undefined);
    }
    throw error;
  }
}

function withOldValues(item: TransactItem): TransactItem {
  const key = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((k) => item[k] !== undefined);
  if (!key) return item;
  return { [key]: { ...item[key], ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } as TransactItem;
}

export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}
