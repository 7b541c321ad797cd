import * as z from 'zod';
import { CompanyInput } from '../../../shared/domain/company.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { EntityMeta, IdParams, ListQuery, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';
import { ContactView } from './contacts.ts';

export const CompanyView = CompanyInput.extend({ ...EntityMeta, status: z.enum(['active', 'archived']) }).meta({ id: 'Company' });
const companyResponse = { description: 'The company', schema: CompanyView };

export const companyOperations = {
  createCompany: operation({
    tag: 'Companies',
    summary: 'Create a company',
    description: 'The domain is unique across companies: a taken domain is a 409 naming `existingId`.',
    body: CompanyInput,
    idempotent: true,
    responses: { 201: companyResponse },
    async handle({ body, principal }, { companies }) {
      const company = await companies.create(body, principal.id);
      return { status: 201, body: company, version: company.version, location: `/v1/companies/${company.id}` };
    },
  }),

  getCompany: operation({
    tag: 'Companies',
    summary: 'Read a company',
    params: IdParams,
    responses: { 200: companyResponse },
    async handle({ params }, { companies }) {
      const company = await companies.get(params.id);
      return { body: company, version: company.version };
    },
  }),

  updateCompany: operation({
    tag: 'Companies',
    summary: 'Update a company (JSON merge patch)',
    params: IdParams,
    body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON merge patch of the company' }),
    responses: { 200: companyResponse },
    async handle({ params, body, headers, principal }, { companies }) {
      const company = await companies.update(params.id, body, principal.id, ifMatchVersion(headers, 'company', params.id));
      return { body: company, version: company.version };
    },
  }),

  archiveCompany: operation({
    tag: 'Companies',
    summary: 'Archive a company',
    params: IdParams,
    responses: { 204: { description: 'Archived' } },
    async handle({ params, headers, principal }, { companies }) {
      await companies.archive(params.id, principal.id, ifMatchVersion(headers, 'company', params.id));
      return { status: 204 };
    },
  }),

  listCompanies: operation({
    tag: 'Companies',
    summary: 'List companies, newest first',
    query: ListQuery,
    responses: { 200: { description: 'A page of companies', schema: pageOf(CompanyView) } },
    async handle({ query }, { companies }) {
      return { body: await companies.list(query.status, query) };
    },
  }),

  listCompanyContacts: operation({
    tag: 'Companies',
    summary: "List a company's contacts",
    description: 'A contact belongs to the company its `companyId` names.',
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of contacts', schema: pageOf(ContactView) } },
    async handle({ params, query }, { companies }) {
      return { body: await companies.contactsOf(params.id, query) };
    },
  }),
};
