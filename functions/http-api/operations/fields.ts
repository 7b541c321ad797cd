import * as z from 'zod';
import {
  FieldDefinitionInput,
  FieldDefinitionPatch,
  type FieldDefinitionInput as FieldInput,
} from '../../../shared/domain/custom-fields.ts';
import { parseOrThrow } from '../../../shared/domain/validation.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { operation } from './define.ts';

const FieldParams = z.object({ key: z.string().min(1).max(64) });
const FieldView = z
  .object({
    key: z.string(),
    label: z.string(),
    type: z.string(),
    options: z.array(z.string()).optional(),
    required: z.boolean(),
  })
  .loose()
  .meta({ id: 'FieldDefinition' });

export const fieldOperations = {
  createField: operation({
    tag: 'Custom fields',
    summary: 'Define a custom contact field',
    description: 'Contacts may then carry `customFields.<key>`, validated against the type.',
    body: FieldDefinitionInput,
    idempotent: true,
    responses: { 201: { description: 'The definition', schema: FieldView } },
    async handle({ body, principal }, { fields }) {
      const field = await fields.create(body, principal.id);
      return { status: 201, body: field, version: field.version, location: `/v1/fields/${field.key}` };
    },
  }),

  listFields: operation({
    tag: 'Custom fields',
    summary: 'List custom field definitions',
    responses: {
      200: { description: 'Every definition', schema: z.object({ results: z.array(FieldView), nextCursor: z.null() }) },
    },
    async handle(_request, { fields }) {
      const all = [...(await fields.all()).values()].sort((a, b) => a.key.localeCompare(b.key));
      return { body: { results: all, nextCursor: null } };
    },
  }),

  getField: operation({
    tag: 'Custom fields',
    summary: 'Read a custom field definition',
    params: FieldParams,
    responses: { 200: { description: 'The definition', schema: FieldView } },
    async handle({ params }, { fields }) {
      const field = await fields.require(params.key);
      return { body: field, version: field.version };
    },
  }),

  updateField: operation({
    tag: 'Custom fields',
    summary: 'Change the label, options, description or required flag of a field',
    description: 'The key and type never change: existing values depend on them.',
    params: FieldParams,
    body: FieldDefinitionPatch,
    responses: { 200: { description: 'The definition', schema: FieldView } },
    async handle({ params, body, headers, principal }, { fields }) {
      const current = await fields.require(params.key);
      const expected = ifMatchVersion(headers, 'field', params.key);
      const merged: FieldInput = parseOrThrow(FieldDefinitionInput, {
        key: current.key,
        type: current.type,
        label: body.label ?? current.label,
        options: body.options ?? current.options,
        required: body.required ?? current.required,
        description: body.description === null ? undefined : (body.description ?? current.description),
      });
      const field = await fields.replace(
        expected !== undefined ? { ...current, version: expected } : current,
        merged,
        principal.id,
      );
      return { body: field, version: field.version };
    },
  }),

  deleteField: operation({
    tag: 'Custom fields',
    summary: 'Delete a custom field definition',
    description: 'Values already on contacts stay where they are until those contacts are edited.',
    params: FieldParams,
    responses: { 204: { description: 'Deleted' } },
    async handle({ params }, { fields }) {
      await fields.require(params.key);
      await fields.delete(params.key);
      return { status: 204 };
    },
  }),
};
