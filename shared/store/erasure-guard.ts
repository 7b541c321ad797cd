import { NotFoundError } from '../domain/errors.ts';
import { keys } from './keys.ts';
import type { GuardedWrite } from './transact.ts';

/**
 * A transaction guard for writes that name a person (a history entry, a duplicate suggestion, a
 * workflow run): their contact is not erased, so a late event writes nothing about someone who
 * was forgotten meanwhile. An absent contact passes; the write's own rules deal with it.
 */
export function contactNotErased(tableName: string, contactId: string): GuardedWrite {
  return {
    item: {
      ConditionCheck: {
        TableName: tableName,
        Key: keys.contact(contactId),
        ConditionExpression: 'attribute_not_exists(pk) OR #status <> :erased',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':erased': 'erased' },
      },
    },
    onConditionFailed: () => new NotFoundError('contact', contactId),
  };
}
