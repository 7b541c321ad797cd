import { EmbeddedContactIndex } from '../../shared/search/embedded.ts';
import { describeSearchIndexContract } from '../helpers/search-contract.ts';

describeSearchIndexContract('embedded (MiniSearch + the filter evaluator)', async () => ({
  index: new EmbeddedContactIndex(),
  cleanup: async () => undefined,
}));
