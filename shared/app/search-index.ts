import { OpenSearchContactIndex, openSearchConfigFromEnv } from '../search/opensearch.ts';
import type { ContactSearchIndex } from '../search/port.ts';
import type { Needs } from './services.ts';

/**
 * A Lambda's search index: the OpenSearch domain its topology entry's `search` access gives it
 * (OPENSEARCH_URL). There is no embedded index in AWS, where every process would hold its own.
 */
export function openSearchIndexFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return ({ fields }: Needs<'fields'>): ContactSearchIndex => {
    const config = openSearchConfigFromEnv(env, () => fields.all());
    if (!config) throw new Error('OPENSEARCH_URL is not set: declare `search` access for this function in infra/topology.ts');
    return new OpenSearchContactIndex(config);
  };
}
