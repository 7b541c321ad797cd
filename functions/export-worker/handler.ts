import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import {
  companyRepository,
  contactRepository,
  fieldDefinitions,
  jobRepository,
  segmentRepository,
} from '../../shared/app/repositories.ts';
import { contactService } from '../../shared/app/contacts.ts';
import { companyService } from '../../shared/app/companies.ts';
import { openSearchIndexFromEnv } from '../../shared/app/search-index.ts';
import { contactSearchService } from '../../shared/app/search.ts';
import { segmentService } from '../../shared/app/segments.ts';
import { blobStorageFromEnv } from '../../shared/blobs/from-env.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    contactRepository,
    companyRepository,
    fields: fieldDefinitions,
    contacts: contactService,
    companies: companyService,
    searchIndex: openSearchIndexFromEnv(),
    search: contactSearchService,
    segmentRepository,
    segments: segmentService,
    blobs: () => blobStorageFromEnv(),
    jobs: jobRepository,
  }),
);
