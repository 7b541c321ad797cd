import * as z from 'zod';
import { ConsentChange } from '../../../shared/domain/consent.ts';
import { LIMITS } from '../../../shared/domain/limits.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { IdParams } from '../../../shared/http/schemas.ts';
import { ContactView } from './contacts.ts';
import { operation } from './define.ts';

export const privacyOperations = {
  eraseContact: operation({
    tag: 'Privacy',
    summary: 'Erase a person (GDPR art. 17): irreversible',
    description:
      'Removes every trace of the person from every store: the record (a tombstone without personal data stays, ' +
      'so reads answer 404), timeline, ties (both ends), tasks, field history, duplicate suggestions, merged records, ' +
      'webhook payloads, stored idempotent responses, import reports, export files, search documents and dead letters. ' +
      'Their emails, phones and external ids stay only as salted hashes, so imports skip them. An id merged into another ' +
      'contact erases the person it leads to, with every contact merged into them. Erasing again answers 204; an ' +
      'erasure that was interrupted finishes when asked again.',
    params: IdParams,
    body: z.strictObject({
      reason: z
        .string()
        .max(LIMITS.maxErasureReasonLength)
        .optional()
        .meta({ description: 'Why (e.g. a ticket number). It is kept with the erasure record: write no personal data in it.' }),
    }),
    responses: {
      204: { description: 'Erased' },
      409: { description: 'A merge involving the person is in progress; erase once it has finished' },
    },
    async handle({ params, body, principal }, { erasures }) {
      await erasures.erase(params.id, principal.id, body.reason);
      return { status: 204 };
    },
  }),

  exportContactData: operation({
    tag: 'Privacy',
    summary: 'Everything held about a person (GDPR art. 15 and 20), as JSON',
    description:
      'The record, the records merged into it, consent, timeline, relationships (the other people by name only), tasks, ' +
      'field history, duplicate suggestions, the segments that select them, webhook deliveries about them (metadata) and ' +
      `their company. Each list holds at most ${LIMITS.personalExportItemsPerList} items and the document at most ` +
      `${LIMITS.personalExportMaxBytes / 1024 / 1024} MB; a list cut short has \`continueAt\`, the list route and cursor for the rest.`,
    params: IdParams,
    responses: { 200: { description: 'The personal data export' } },
    async handle({ params }, { personalData }) {
      const document = await personalData.export(params.id);
      return {
        body: document,
        headers: { 'content-disposition': `attachment; filename="kith-contact-${document.contact.id}.json"` },
      };
    },
  }),

  recordConsent: operation({
    tag: 'Privacy',
    summary: "Record a channel's consent",
    description:
      'Sets `consent.<channel>` on the contact (field history keeps the change) and writes a system entry on the timeline ' +
      'saying when the person gave or withdrew consent and where. Filter on it with `consent.email.status eq granted`.',
    params: IdParams,
    body: ConsentChange,
    idempotent: true,
    responses: { 200: { description: 'The contact', schema: ContactView } },
    async handle({ params, body, headers, principal }, { consent }) {
      const contact = await consent.record(params.id, body, principal.id, ifMatchVersion(headers, 'contact', params.id));
      return { body: contact, version: contact.version, aboutContacts: [contact.id] };
    },
  }),
};
