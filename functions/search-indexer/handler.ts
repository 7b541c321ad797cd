import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { companyRepository, contactRepository, fieldDefinitions } from '../../shared/app/repositories.ts';
import { openSearchIndexFromEnv } from '../../shared/app/search-index.ts';
import { searchIndexing } from '../../shared/app/search-indexing.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    contactRepository,
    companyRepository,
    fields: fieldDefinitions,
    searchIndex: openSearchIndexFromEnv(),
    search: searchIndexing,
  }),
);
