import * as z from 'zod';
import { permissionsOf } from '../../../shared/domain/permissions.ts';
import { docsPage } from '../../../shared/http/openapi.ts';
import { operation } from './define.ts';

export const systemOperations = {
  health: operation({
    tag: 'System',
    summary: 'Liveness check',
    responses: { 200: { description: 'Kith is up', schema: z.object({ status: z.literal('ok') }) } },
    async handle() {
      return { body: { status: 'ok' } };
    },
  }),

  openApiDocument: operation({
    tag: 'System',
    summary: 'This API as an OpenAPI 3.1 document',
    responses: { 200: { description: 'The document' } },
    async handle() {
      // Resolved lazily: the document describes the registry this module is part of.
      const { openApi } = await import('../openapi-document.ts');
      return { body: openApi(), headers: { 'cache-control': 'public, max-age=300' } };
    },
  }),

  apiDocsPage: operation({
    tag: 'System',
    summary: 'A readable page of the API reference',
    responses: { 200: { description: 'HTML' } },
    async handle() {
      return { raw: docsPage(), contentType: 'text/html; charset=utf-8' };
    },
  }),

  whoAmI: operation({
    tag: 'System',
    summary: 'Who the caller is and what it may do',
    responses: {
      200: {
        description: 'The caller',
        schema: z.object({ id: z.string(), role: z.string(), kind: z.string(), permissions: z.array(z.string()) }),
      },
    },
    async handle({ principal }) {
      return { body: { ...principal, permissions: permissionsOf(principal.role) } };
    },
  }),
};
