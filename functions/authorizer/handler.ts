import { authenticationServicesFromEnv } from '../../shared/app/authentication.ts';
import { create } from './app.ts';

export const handler = create(authenticationServicesFromEnv());
