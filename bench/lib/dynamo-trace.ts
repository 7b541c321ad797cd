import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface TracedCall {
  command: string;
  /** The request as sent on the wire (marshalled). */
  input: Record<string, unknown>;
  /** Items the call returned, marshalled again for sizing. */
  items: Record<string, Record<string, unknown>>[];
  item?: Record<string, Record<string, unknown>>;
  /** What DynamoDB Local itself reported. */
  reported: { rcu: number; wcu: number };
}

/**
 * Records every request a document client makes (name, wire input, returned items) and asks
 * DynamoDB for its own ConsumedCapacity, so a benchmark can bill each API operation.
 */
export function traceDynamo(client: DynamoDBDocumentClient) {
  let calls: TracedCall[] | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!calls) return next(args);
      const request = args.request as { body?: string | Uint8Array };
      const body = typeof request.body === 'string' ? request.body : request.body ? new TextDecoder().decode(request.body) : '';
      const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      const result = await next(args);
      const output = result.output as Record<string, unknown>;
      const items = [
        ...((output.Items as Record<string, unknown>[] | undefined) ?? []),
        ...Object.values((output.Responses as Record<string, Record<string, unknown>[]> | undefined) ?? {}).flat(),
      ].map((item) => marshall(item, { removeUndefinedValues: true }) as unknown as TracedCall['items'][number]);
      const single = (output.Item ?? output.Attributes) as Record<string, unknown> | undefined;
      const consumed = ([] as { CapacityUnits?: number }[]).concat((output.ConsumedCapacity as never) ?? []);
      const units = consumed.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
      const commandName = context.commandName ?? 'Unknown';
      const isRead = /^(Get|BatchGet|Query|Scan|TransactGet)/.test(commandName);
      calls.push({
        command: commandName.replace(/Command$/, ''),
        input,
        items,
        item: single ? (marshall(single, { removeUndefinedValues: true }) as unknown as TracedCall['item']) : undefined,
        reported: { rcu: isRead ? units : 0, wcu: isRead ? 0 : units },
      });
      return result;
    },
    { step: 'build', name: 'kithBenchTrace', priority: 'low' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      if (calls) (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      return next(args);
    },
    { step: 'initialize', name: 'kithBenchConsumedCapacity', priority: 'high' },
  );
  return {
    /** Records the calls made while `fn` runs. */
    async record<T>(fn: () => Promise<T>): Promise<{ result: T; calls: TracedCall[] }> {
      calls = [];
      try {
        const result = await fn();
        return { result, calls };
      } finally {
        calls = undefined;
      }
    },
  };
}
