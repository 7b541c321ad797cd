import { newId } from '../../shared/domain/ids.ts';
import type { Contact } from '../../shared/domain/contact.ts';

const BASE_TIME = Date.parse('2026-01-01T00:00:00Z');
let sequence = 0;

/** A stored contact as the table would hold it, with whatever fields the test names. */
export function storedContact(fields: Partial<Contact> = {}): Contact {
  sequence++;
  const at = new Date(BASE_TIME + sequence * 60_000).toISOString();
  return {
    id: newId(BASE_TIME + sequence),
    version: 1,
    createdAt: at,
    updatedAt: at,
    status: 'active',
    completeness: 0.5,
    emails: [],
    phones: [],
    tags: [],
    customFields: {},
    ...fields,
  };
}

export const email = (address: string) => ({ address, primary: true });
export const phone = (number: string) => ({ number, primary: true });
