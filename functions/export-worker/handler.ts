import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import {
  companyRepository,
  contactRepository,
  fieldDefinitions,
  jobRepository,
  segmentRepository,
  suppressionRepository,
} from '../../shared/app/repositories.ts';
import { contactService } from '../../shared/app/contacts.ts';
import { companyService } from '../../shared/app/companies.ts';
import { openSearchIndexFromEnv } from '../../shared/app/search-index.ts';
import { contactSearchService } from '../../shared/app/search.ts';
import { segmentService } from '../../shared/app/segments.ts';
import { blobStorageFromEnv } from '../../shared/blobs/from-env.ts';
import { suppressionSaltFromEnv } from '../../shared/secrets/salt.ts';
import { erasureLog } from '../../shared/app/erasure.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    contactRepository,
    companyRepository,
    fields: fieldDefinitions,
    // Creates refuse erased people's identities: salted hashes, the salt read on first use.
    suppressionSalt: () => suppressionSaltFromEnv(),
    suppressions: suppressionRepository,
    contacts: contactService,
    companies: companyService,
    searchIndex: openSearchIndexFromEnv(),
    search: contactSearchService,
    segmentRepository,
    segments: segmentService,
    blobs: () => blobStorageFromEnv(),
    jobs: jobRepository,
    // People erased while a job ran are scrubbed from its file by the worker.
    erasureLog,
  }),
);
