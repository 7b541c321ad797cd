import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { companyRepository, contactRepository } from '../../shared/app/repositories.ts';
import { duplicateService } from '../../shared/app/duplicates.ts';
import { storedPhone } from '../../shared/domain/dedup/identity.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    contactRepository,
    companyRepository,
    // It only matches contacts as stored, whose phones are E.164 already: no phone metadata to load.
    phoneReader: () => storedPhone,
    duplicates: duplicateService,
  }),
);
