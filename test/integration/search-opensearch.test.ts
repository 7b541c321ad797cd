import { describe, it } from 'vitest';
import { describeSearchIndexContract, CONTRACT_DEFINITIONS } from '../helpers/search-contract.ts';
import { openSearchIndexFor, probeOpenSearch } from '../helpers/opensearch.ts';

const opensearch = await probeOpenSearch();

if (opensearch.url) {
  describeSearchIndexContract('OpenSearch (real node)', async () => {
    const index = openSearchIndexFor(opensearch.url!, CONTRACT_DEFINITIONS);
    return {
      index,
      cleanup: async () => {
        await index.destroy();
        await index.close();
      },
    };
  });
} else {
  describe('the search index contract: OpenSearch', () => {
    it.skip(opensearch.skipReason, () => undefined);
  });
}
