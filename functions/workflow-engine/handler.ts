import { servicesFromEnv } from '../../shared/app/services.ts';
import { create } from './app.ts';

export const handler = create(servicesFromEnv());
