import * as z from 'zod';
import { ContactInput, CONTACT_STATUSES } from '../../../shared/domain/contact.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { EntityMeta, IdParams, ListQuery, pageOf } from '../../../shared/http/schemas.ts';
import { LIMITS } from '../../../shared/domain/limits.ts';
import { ENGAGEMENT_DESCRIPTION } from '../../../shared/domain/engagement.ts';
import { runBatch, BatchRequest, BatchResponse } from '../../../shared/app/batch.ts';
import { operation } from './define.ts';
import { can } from '../../../shared/domain/permissions.ts';
import { ForbiddenError } from '../../../shared/domain/errors.ts';

export const ContactView = ContactInput.extend({
  ...EntityMeta,
  status: z.enum(CONTACT_STATUSES),
  completeness: z.number().min(0).max(1),
  lastInteractionAt: z.iso.datetime().optional().meta({ description: 'When the newest call, email or meeting happened' }),
  engagementScore: z.number().optional().meta({ description: ENGAGEMENT_DESCRIPTION }),
  mergedFrom: z.array(z.string()).optional(),
}).meta({ id: 'Contact' });

const contactResponse = { description: 'The contact', schema: ContactView };

export const contactOperations = {
  createContact: operation({
    tag: 'Contacts',
    summary: 'Create a contact',
    description:
      'Emails are lower-cased, phones normalized to E.164, custom fields checked against their definitions. ' +
      'A primary email or external id that another contact holds is a 409 naming `existingId`.',
    body: ContactInput,
    query: z.object({
      allowSuppressed: z.enum(['true', 'false']).optional().meta({
        description: 'Admins only: create the person even though an erasure suppressed their email, phone or external id',
      }),
    }),
    idempotent: true,
    responses: {
      201: contactResponse,
      409: { description: 'Primary email or external id taken (`existingId`), or suppressed by an erasure (type `suppressed`)' },
    },
    async handle({ body, query, principal }, { contacts }) {
      const allowSuppressed = query.allowSuppressed === 'true';
      if (allowSuppressed && !can(principal.role, 'admin')) {
        throw new ForbiddenError('Only an admin may create a person an erasure suppressed (allowSuppressed).');
      }
      const contact = await contacts.create(body, principal.id, { allowSuppressed });
      return {
        status: 201,
        body: contact,
        version: contact.version,
        location: `/v1/contacts/${contact.id}`,
        aboutContacts: [contact.id],
      };
    },
  }),

  getContact: operation({
    tag: 'Contacts',
    summary: 'Read a contact',
    description: 'A merged contact answers with its survivor, whose `mergedFrom` names it.',
    params: IdParams,
    responses: { 200: contactResponse },
    async handle({ params }, { contacts }) {
      const contact = await contacts.get(params.id);
      return { body: contact, version: contact.version };
    },
  }),

  updateContact: operation({
    tag: 'Contacts',
    summary: 'Update a contact (JSON merge patch)',
    description: 'RFC 7396: objects merge, `null` removes a field, arrays replace. Send `If-Match` to update only that version.',
    params: IdParams,
    body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON merge patch of the contact' }),
    responses: { 200: contactResponse, 412: { description: 'If-Match names an older version' } },
    async handle({ params, body, headers, principal }, { contacts }) {
      const contact = await contacts.update(params.id, body, principal.id, ifMatchVersion(headers, 'contact', params.id));
      return { body: contact, version: contact.version };
    },
  }),

  archiveContact: operation({
    tag: 'Contacts',
    summary: 'Archive a contact (soft delete)',
    params: IdParams,
    responses: { 204: { description: 'Archived' } },
    async handle({ params, headers, principal }, { contacts }) {
      await contacts.archive(params.id, principal.id, ifMatchVersion(headers, 'contact', params.id));
      return { status: 204 };
    },
  }),

  restoreContact: operation({
    tag: 'Contacts',
    summary: 'Restore an archived contact',
    params: IdParams,
    idempotent: true,
    responses: { 200: contactResponse },
    async handle({ params, principal }, { contacts }) {
      const contact = await contacts.restore(params.id, principal.id);
      return { body: contact, version: contact.version, aboutContacts: [contact.id] };
    },
  }),

  tagContact: operation({
    tag: 'Contacts',
    summary: 'Add and remove tags',
    params: IdParams,
    body: z.strictObject({
      add: z.array(z.string().max(LIMITS.maxTagLength)).max(LIMITS.maxTagsPerContact).optional(),
      remove: z.array(z.string().max(LIMITS.maxTagLength)).max(LIMITS.maxTagsPerContact).optional(),
    }),
    idempotent: true,
    responses: { 200: contactResponse },
    async handle({ params, body, principal }, { contacts }) {
      const contact = await contacts.tag(params.id, body, principal.id);
      return { body: contact, version: contact.version, aboutContacts: [contact.id] };
    },
  }),

  listContacts: operation({
    tag: 'Contacts',
    summary: 'List contacts, newest first',
    query: ListQuery,
    responses: { 200: { description: 'A page of contacts', schema: pageOf(ContactView) } },
    async handle({ query }, { contacts }) {
      return { body: await contacts.list(query.status, query) };
    },
  }),

  batchContacts: operation({
    tag: 'Contacts',
    summary: 'Create, update, upsert or archive up to 100 contacts',
    description: 'Each operation succeeds or fails on its own; the response reports every one in order.',
    body: BatchRequest,
    idempotent: true,
    responses: { 200: { description: 'Per-operation results', schema: BatchResponse } },
    async handle({ body, principal }, services) {
      const results = await runBatch(body, principal, services);
      return { body: results, aboutContacts: results.results.flatMap((result) => (result.id ? [result.id] : [])) };
    },
  }),
};
