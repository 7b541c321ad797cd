import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { jobRepository } from '../../shared/app/repositories.ts';
import { create } from './app.ts';

export const handler = create(assemble({ ...foundationFromEnv(), jobs: jobRepository }));
