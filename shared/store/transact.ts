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
  const outcome = await tryTransactWrite(store, writes);
  if (outcome.ok) return;
  for (const failure of outcome.failed) {
    const mapped = writes[failure.index]?.onConditionFailed?.(failure.existing);
    if (mapped) throw mapped;
  }
  if (outcome.conflict) throw new ConflictError('Another change to the same record was in progress; retry the request.');
  throw outcome.error;
}

export type TransactOutcome =
  | { ok: true }
  | {
      ok: false;
      /** Writes whose condition failed, with the item as it stood. */
      failed: { index: number; existing: Record<string, unknown> | undefined }[];
      /** Another transaction touched the same items: the whole thing may simply be retried. */
      conflict: boolean;
      error: unknown;
    };

/**
 * Runs the writes as one transaction and reports every write whose condition failed, so a
 * caller that packed many records into one transaction can tell which of them to set aside.
 */
export async function tryTransactWrite(store: Store, writes: GuardedWrite[]): Promise<TransactOutcome> {
  const items = writes.map(({ item, onConditionFailed }) => (onConditionFailed ? withOldValues(item) : item));
  try {
    await store.db.send(new TransactWriteCommand({ TransactItems: items }));
    return { ok: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failed = reasons.flatMap((reason, index) =>
      reason.Code === 'ConditionalCheckFailed' ? [{ index, existing: reason.Item ? unmarshall(reason.Item) : undefined }] : [],
    );
    return { ok: false, failed, conflict: reasons.some((r) => r.Code === 'TransactionConflict'), error };
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
