/**
 * DynamoDB's published billing rules, applied to the requests an operation actually made.
 * DynamoDB Local reports ConsumedCapacity, but not by these rules (a two-item transaction reports
 * 2 units where the service bills 4), so the bench computes billed units itself and shows both.
 *
 * Rules (DynamoDB developer guide, "Read/write capacity", "Item sizes", "Transactions"):
 * - item size = attribute name bytes + value bytes; strings UTF-8 bytes; numbers ≈ 1 + significant
 *   digits / 2; booleans and null 1; lists and maps 3 + 1 per element + their contents.
 * - writes: 1 WCU per started KB per item; transactional ×2 (including ConditionCheck).
 *   A put into a GSI costs 1 WCU per started KB of the projected item (projection ALL here).
 * - reads: 1 RCU per started 4 KB, strongly consistent; ½ eventually consistent; transactional ×2;
 *   a Query rounds the SUM of the items read, BatchGet and GetItem round each item.
 * Assumption: an overwrite keeps its GSI keys (1 index write, not delete + put) and is about the
 * size of the item it replaces.
 */
type AttributeValue = Record<string, unknown>;

export function attributeValueSize(value: AttributeValue): number {
  const [type, inner] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(inner as string, 'utf8');
    case 'N': {
      const digits = (inner as string)
        .replace(/^-/, '')
        .replace(/e.*$/i, '')
        .replace('.', '')
        .replace(/^0+/, '')
        .replace(/0+$/, '');
      return 1 + Math.ceil(Math.max(1, digits.length) / 2);
    }
    case 'B':
      return typeof inner === 'string' ? Buffer.from(inner, 'base64').length : (inner as Uint8Array).length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (inner as string[]).reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0);
    case 'NS':
      return (inner as string[]).reduce((sum, n) => sum + attributeValueSize({ N: n }), 0);
    case 'L':
      return 3 + (inner as AttributeValue[]).reduce((sum, v) => sum + 1 + attributeValueSize(v), 0);
    case 'M':
      return (
        3 +
        Object.entries(inner as Record<string, AttributeValue>).reduce(
          (sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + attributeValueSize(v),
          0,
        )
      );
    default:
      return 0;
  }
}

export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + attributeValueSize(value),
    0,
  );
}

const KB = 1024;
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));
const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / (4 * KB)));

export interface Units {
  rcu: number;
  wcu: number;
}

export interface TableShape {
  /** Partition-key attribute of each GSI (projection ALL). */
  gsiPartitionKeys: string[];
}

function gsiWrites(item: Record<string, AttributeValue>, shape: TableShape): number {
  const size = itemSize(item);
  return shape.gsiPartitionKeys.filter((key) => key in item).length * writeUnits(size);
}

/** Billed units of one low-level request (marshalled input, marshalled output items). */
export function billedUnits(
  command: string,
  input: Record<string, unknown>,
  output: { items?: Record<string, AttributeValue>[]; item?: Record<string, AttributeValue> },
  shape: TableShape,
): Units {
  switch (command) {
    case 'PutItem': {
      const item = input.Item as Record<string, AttributeValue>;
      return { rcu: 0, wcu: writeUnits(itemSize(item)) + gsiWrites(item, shape) };
    }
    case 'UpdateItem':
    case 'DeleteItem': {
      const size = output.item ? itemSize(output.item) : 1;
      return { rcu: 0, wcu: writeUnits(size) + (output.item ? gsiWrites(output.item, shape) : 0) };
    }
    case 'TransactWriteItems': {
      let wcu = 0;
      for (const entry of input.TransactItems as Record<string, Record<string, unknown>>[]) {
        const [kind, body] = Object.entries(entry)[0]!;
        if (kind === 'Put') {
          const item = body.Item as Record<string, AttributeValue>;
          wcu += 2 * writeUnits(itemSize(item)) + gsiWrites(item, shape);
        } else {
          // Update/Delete/ConditionCheck of an item we did not send: at least one KB each.
          wcu += 2 * writeUnits(itemSize((body.Key ?? {}) as Record<string, AttributeValue>));
        }
      }
      return { rcu: 0, wcu };
    }
    case 'BatchWriteItem': {
      let wcu = 0;
      for (const requests of Object.values(input.RequestItems as Record<string, Record<string, Record<string, unknown>>[]>)) {
        for (const request of requests) {
          const item = request.PutRequest?.Item as Record<string, AttributeValue> | undefined;
          wcu += item ? writeUnits(itemSize(item)) + gsiWrites(item, shape) : 1;
        }
      }
      return { rcu: 0, wcu };
    }
    case 'GetItem': {
      const consistent = input.ConsistentRead === true;
      const units = output.item ? readUnits(itemSize(output.item)) : 1;
      return { rcu: consistent ? units : units / 2, wcu: 0 };
    }
    case 'BatchGetItem': {
      const consistent = Object.values(input.RequestItems as Record<string, { ConsistentRead?: boolean }>).some(
        (r) => r.ConsistentRead,
      );
      const units = (output.items ?? []).reduce((sum, item) => sum + readUnits(itemSize(item)), 0);
      return { rcu: consistent ? units : units / 2, wcu: 0 };
    }
    case 'Query':
    case 'Scan': {
      const consistent = input.ConsistentRead === true;
      const bytes = (output.items ?? []).reduce((sum, item) => sum + itemSize(item), 0);
      const units = readUnits(bytes);
      return { rcu: consistent ? units : units / 2, wcu: 0 };
    }
    default:
      return { rcu: 0, wcu: 0 };
  }
}
