import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { contactRepository, fieldDefinitions, jobRepository, suppressionRepository } from '../../shared/app/repositories.ts';
import { contactService } from '../../shared/app/contacts.ts';
import { blobStorageFromEnv } from '../../shared/blobs/from-env.ts';
import { suppressionSaltFromEnv } from '../../shared/secrets/salt.ts';
import { erasureLog } from '../../shared/app/erasure.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    contactRepository,
    fields: fieldDefinitions,
    contacts: contactService,
    suppressionSalt: () => suppressionSaltFromEnv(),
    suppressions: suppressionRepository,
    blobs: () => blobStorageFromEnv(),
    jobs: jobRepository,
    // People erased while a job ran are scrubbed from its file by the worker.
    erasureLog,
  }),
);
