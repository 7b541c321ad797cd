import type { CompiledCondition, CompiledFilter } from '../domain/filter.ts';
import { typoBudget, type AnalyzedQuery } from '../domain/search-text.ts';

/**
 * The filter language compiled to OpenSearch query DSL. Values arrive already projected and
 * normalized (shared/domain/filter.ts), so each operator is one term-level query on the field the
 * document builder wrote them to.
 */
type Query = Record<string, unknown>;

const not = (query: Query): Query => ({ bool: { must_not: [query] } });

function conditionQuery(condition: CompiledCondition): Query {
  const field = condition.field.docField;
  switch (condition.op) {
    case 'eq':
    case 'contains':
      return { term: { [field]: condition.value } };
    case 'neq':
      return not({ term: { [field]: condition.value } });
    case 'in':
      return { terms: { [field]: condition.value } };
    case 'nin':
      return not({ terms: { [field]: condition.value } });
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { range: { [field]: { [condition.op]: condition.value } } };
    case 'between':
      return { range: { [field]: { gte: condition.value[0], lte: condition.value[1] } } };
    case 'prefix':
      return { prefix: { [field]: { value: condition.value } } };
    case 'exists':
      return { exists: { field } };
    case 'missing':
      return not({ exists: { field } });
  }
}

export function filterQuery(filter: CompiledFilter): Query {
  if ('all' in filter) return { match_all: {} };
  if ('and' in filter) return { bool: { filter: filter.and.map(filterQuery) } };
  if ('or' in filter) return { bool: { should: filter.or.map(filterQuery), minimum_should_match: 1 } };
  if ('not' in filter) return not(filterQuery(filter.not));
  return conditionQuery(filter.condition);
}

/** Scores of the ways a word can match; constant, so ranking is the same on every shard and run. */
export const TEXT_BOOSTS = {
  wholeMatch: 50,
  exactTerm: 10,
  companyTerm: 6,
  prefix: 4,
  emailPrefix: 3,
  companyPrefix: 2,
  typo: 1,
  phone: 5,
} as const;

const scored = (boost: number, filter: Query): Query => ({ constant_score: { filter, boost } });

/**
 * Free text: every word must match a name, email or company term exactly or as a prefix, or a
 * name within its typo budget (the best way counts); a query that reads as a phone number matches phone digit forms.
 * An exact whole name or address ranks above everything else.
 */
export function textQuery(text: AnalyzedQuery): Query {
  const must: Query[] = [];
  if (text.phoneDigits) must.push(scored(TEXT_BOOSTS.phone, { prefix: { 'search.phones': text.phoneDigits } }));
  for (const forms of text.words) {
    must.push({
      dis_max: {
        queries: forms.flatMap((form) => {
          const budget = typoBudget(form);
          return [
            scored(TEXT_BOOSTS.exactTerm, { term: { 'search.names': form } }),
            scored(TEXT_BOOSTS.exactTerm, { term: { 'search.email_terms': form } }),
            scored(TEXT_BOOSTS.prefix, { prefix: { 'search.names': form } }),
            scored(TEXT_BOOSTS.emailPrefix, { prefix: { 'search.email_terms': form } }),
            scored(TEXT_BOOSTS.companyTerm, { term: { 'search.company': form } }),
            scored(TEXT_BOOSTS.companyPrefix, { prefix: { 'search.company': form } }),
            ...(budget > 0
              ? [
                  scored(TEXT_BOOSTS.typo, {
                    fuzzy: { 'search.names': { value: form, fuzziness: budget, transpositions: false } },
                  }),
                ]
              : []),
          ];
        }),
      },
    });
  }
  return {
    bool: {
      must,
      should: [
        scored(TEXT_BOOSTS.wholeMatch, { term: { 'search.full_names': text.whole } }),
        scored(TEXT_BOOSTS.wholeMatch, { term: { 'search.emails': text.whole } }),
      ],
    },
  };
}
