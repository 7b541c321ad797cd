import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { companyRepository, contactRepository } from '../../shared/app/repositories.ts';
import { fieldHistoryService } from '../../shared/app/history.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({ ...foundationFromEnv(), contactRepository, companyRepository, history: fieldHistoryService }),
);
