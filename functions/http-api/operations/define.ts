import { defineOperation } from '../../../shared/http/operation.ts';
import type { HttpApiServices } from '../services.ts';

/** Operations of the HTTP function, typed against the services it is built with. */
export const operation = defineOperation<HttpApiServices>();
