import type { Contact } from '../domain/contact.ts';
import type { FieldDefinitionInput } from '../domain/custom-fields.ts';
import { CORE_FIELDS, CUSTOM_DOC_OBJECTS, customFieldSpec, type FieldKind } from '../domain/filter-fields.ts';
import { searchTermsOf } from '../domain/search-text.ts';

/** Only active contacts are found; archived, merged, erased and deleted ones leave the results. */
export function isSearchable(contact: Contact | undefined): contact is Contact {
  return contact !== undefined && contact.status === 'active';
}

/**
 * The OpenSearch document of a contact: every filterable field as the projections of
 * shared/domain/filter-fields.ts compute it (so the compiled query and the evaluator compare the
 * same values), custom fields in typed objects, and the folded text terms search matches.
 */
export function contactDocument(
  contact: Contact,
  definitions: ReadonlyMap<string, FieldDefinitionInput>,
  companyName?: string,
): Record<string, unknown> {
  const doc: Record<string, unknown> = { id: contact.id, deleted: false };
  for (const spec of CORE_FIELDS.values()) {
    const values = spec.values(contact);
    if (values.length > 0) doc[spec.docField] = values;
  }
  const custom: Record<string, Record<string, unknown>> = {};
  for (const key of Object.keys(contact.customFields ?? {})) {
    const definition = definitions.get(key);
    if (!definition) continue;
    const spec = customFieldSpec(definition);
    const values = spec.values(contact);
    const [object, field] = spec.docField.split('.') as [string, string];
    if (values.length > 0) (custom[object] ??= {})[field] = values;
  }
  Object.assign(doc, custom);
  const terms = searchTermsOf(contact, companyName);
  doc.search = {
    names: terms.names,
    full_names: terms.fullNames,
    emails: terms.emails,
    email_terms: terms.emailTerms,
    phones: terms.phones,
    company: terms.company,
  };
  return doc;
}

/** What stays of a contact that left search: enough to hold its version against late events. */
export function tombstoneDocument(id: string): Record<string, unknown> {
  return { id, deleted: true };
}

function mappingOf(kind: FieldKind): Record<string, unknown> {
  switch (kind) {
    case 'text':
    case 'keyword':
      return { type: 'keyword' };
    case 'number':
      return { type: 'double' };
    case 'date':
    case 'datetime':
      return { type: 'date', format: 'epoch_millis' };
    case 'boolean':
      return { type: 'boolean' };
  }
}

const CUSTOM_KINDS: Record<string, FieldKind> = {
  [CUSTOM_DOC_OBJECTS.keyword]: 'keyword',
  [CUSTOM_DOC_OBJECTS.number]: 'number',
  [CUSTOM_DOC_OBJECTS.date]: 'date',
  [CUSTOM_DOC_OBJECTS.boolean]: 'boolean',
};

/**
 * The index mapping: strict, core field types only (the minimal distribution has no
 * analysis-common), custom fields typed by the object they live in.
 */
export function contactIndexMapping(): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    id: { type: 'keyword' },
    deleted: { type: 'boolean' },
    search: {
      properties: {
        names: { type: 'keyword' },
        full_names: { type: 'keyword' },
        emails: { type: 'keyword' },
        email_terms: { type: 'keyword' },
        phones: { type: 'keyword' },
        company: { type: 'keyword' },
      },
    },
  };
  for (const spec of CORE_FIELDS.values()) properties[spec.docField] = mappingOf(spec.kind);
  for (const object of Object.keys(CUSTOM_KINDS)) properties[object] = { type: 'object', dynamic: true };
  return {
    dynamic: 'strict',
    dynamic_templates: Object.entries(CUSTOM_KINDS).map(([object, kind]) => ({
      [object]: { path_match: `${object}.*`, mapping: mappingOf(kind) },
    })),
    properties,
  };
}
