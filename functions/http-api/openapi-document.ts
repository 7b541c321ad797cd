import { routes } from '../../infra/topology.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { operations } from './operations/index.ts';

let cached: Record<string, unknown> | undefined;

export function openApi(): Record<string, unknown> {
  cached ??= openApiDocument(routes, operations, { version: '1.0.0' });
  return cached;
}
