import { randomUUID } from 'node:crypto';
import { OpenSearchContactIndex } from '../../shared/search/opensearch.ts';
import type { FieldDefinitionInput } from '../../shared/domain/custom-fields.ts';

/**
 * Tests that need a real OpenSearch node find it at OPENSEARCH_URL (`scripts/opensearch.sh start`
 * prints it). Without one they skip, saying why in their name; with REQUIRE_OPENSEARCH=1 (CI)
 * a missing node fails the run instead.
 */
export async function probeOpenSearch(): Promise<{ url?: string; skipReason: string }> {
  const url = process.env.OPENSEARCH_URL;
  const required = process.env.REQUIRE_OPENSEARCH === '1';
  let problem: string | undefined;
  if (!url) problem = 'OPENSEARCH_URL is not set';
  else {
    try {
      const response = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) problem = `OpenSearch at ${url} answered ${response.status}`;
    } catch (error) {
      problem = `no OpenSearch reachable at ${url} (${(error as Error).message})`;
    }
  }
  if (problem && required) throw new Error(`REQUIRE_OPENSEARCH=1 but ${problem}`);
  if (problem) {
    const skipReason = `SKIPPED: ${problem}; start one with scripts/opensearch.sh start and export OPENSEARCH_URL`;
    console.warn(skipReason);
    return { skipReason };
  }
  return { url, skipReason: '' };
}

/** An OpenSearch index of the test's own (random alias), deleted by `destroy()`. */
export function openSearchIndexFor(
  url: string,
  definitions: ReadonlyMap<string, FieldDefinitionInput> = new Map(),
): OpenSearchContactIndex {
  return new OpenSearchContactIndex({ url, indexName: `test-${randomUUID()}`, definitions: async () => definitions });
}
