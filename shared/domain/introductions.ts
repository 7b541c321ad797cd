/**
 * Warm introductions: the chains of people through whom one contact can reach another.
 *
 * A path's strength is the PRODUCT of its ties' strengths. Read each strength as the chance
 * that person will make the introduction: a chain holds only if every link does, so the
 * product is the chance it works, and every extra hop costs something. The minimum would rank
 * a 3-hop chain of 0.9s equal to a direct 0.9 tie and break ties arbitrarily; the product
 * prefers the shorter one and still lets two strong hops (0.81) beat one weak tie (0.5).
 */

export interface IntroductionPath {
  /** From the source to the target, both included. */
  contactIds: string[];
  hops: number;
  strength: number;
  ties: { from: string; to: string; typeKey: string; strength: number }[];
}

/** A tie as one end lists it: its type from that end, and from the other. */
export interface ListedTie {
  otherId: string;
  strength: number;
  typeKey: string;
  inverseTypeKey: string;
}

/** Undirected neighbourhoods from whatever tie lists were read, keeping the strongest tie per pair. */
export function tieGraph(lists: Iterable<{ contactId: string; ties: Iterable<ListedTie> }>) {
  const graph = new Map<string, Map<string, { strength: number; typeKey: string }>>();
  const link = (from: string, to: string, strength: number, typeKey: string) => {
    let neighbours = graph.get(from);
    if (!neighbours) graph.set(from, (neighbours = new Map()));
    const known = neighbours.get(to);
    if (!known || strength > known.strength) neighbours.set(to, { strength, typeKey });
  };
  for (const { contactId, ties } of lists) {
    for (const tie of ties) {
      if (tie.otherId === contactId) continue;
      link(contactId, tie.otherId, tie.strength, tie.typeKey);
      link(tie.otherId, contactId, tie.strength, tie.inverseTypeKey);
    }
  }
  return graph;
}

export type TieGraph = ReturnType<typeof tieGraph>;

/**
 * Every simple path of at most `maxHops` ties from `source` to `target` in the graph, best
 * first (strength, then fewer hops, then ids for a stable order), at most `maxPaths` of them.
 */
export function rankIntroductions(
  graph: TieGraph,
  source: string,
  target: string,
  maxHops: number,
  maxPaths: number,
): IntroductionPath[] {
  if (source === target) return [];
  const found: IntroductionPath[] = [];
  const walk = (path: string[], strength: number) => {
    const here = path[path.length - 1]!;
    for (const [next, tie] of graph.get(here) ?? []) {
      if (path.includes(next)) continue;
      const reached = [...path, next];
      if (next === target) found.push(pathOf(graph, reached, strength * tie.strength));
      else if (reached.length <= maxHops) walk(reached, strength * tie.strength);
    }
  };
  walk([source], 1);
  return found.sort(byRank).slice(0, maxPaths);
}

function pathOf(graph: TieGraph, contactIds: string[], strength: number): IntroductionPath {
  const ties = contactIds.slice(1).map((to, i) => {
    const from = contactIds[i]!;
    const tie = graph.get(from)!.get(to)!;
    return { from, to, typeKey: tie.typeKey, strength: tie.strength };
  });
  return { contactIds, hops: contactIds.length - 1, strength, ties };
}

function byRank(x: IntroductionPath, y: IntroductionPath): number {
  return y.strength - x.strength || x.hops - y.hops || x.contactIds.join().localeCompare(y.contactIds.join());
}

/** Reads one contact's ties, at most `max` of them, saying whether there were more. */
export type TieSource = (contactId: string) => Promise<{ ties: ListedTie[]; truncated: boolean }>;

export interface IntroductionLimits {
  maxHops: number;
  maxPaths: number;
  /** Contacts of the smaller side whose ties are read to find the longest paths. */
  maxExpansions: number;
  /** Tie lists read at once. */
  concurrency: number;
}

export interface IntroductionSearch {
  results: IntroductionPath[];
  /** False when a limit cut the search short: a better path may exist beyond what was read. */
  complete: boolean;
  /** Tie lists read: the cost of the search, bounded by 2 + maxExpansions. */
  listsRead: number;
}

/**
 * Meet-in-the-middle search for paths of up to three hops, without scanning anything: read the
 * ties of the source and of the target, then the ties of each contact on the smaller side
 * (strongest first, up to `maxExpansions`). Every path s–a–b–t then has all three ties in hand:
 * s–a from the source's list, b–t from the target's, a–b from the expanded one.
 */
export async function searchIntroductions(
  source: string,
  target: string,
  tiesOf: TieSource,
  limits: IntroductionLimits,
): Promise<IntroductionSearch> {
  if (limits.maxHops > 3) throw new Error('searchIntroductions reads enough ties for three hops at most');
  const [fromSource, fromTarget] = await Promise.all([tiesOf(source), tiesOf(target)]);
  const lists = [
    { contactId: source, ties: fromSource.ties },
    { contactId: target, ties: fromTarget.ties },
  ];
  let complete = !fromSource.truncated && !fromTarget.truncated;
  if (limits.maxHops >= 3) {
    const side = fromSource.ties.length <= fromTarget.ties.length ? fromSource : fromTarget;
    const middle = [
      ...new Map(
        side.ties
          .filter((t) => t.otherId !== source && t.otherId !== target)
          .sort((x, y) => y.strength - x.strength)
          .map((t) => [t.otherId, t]),
      ).keys(),
    ];
    if (middle.length > limits.maxExpansions) complete = false;
    const expanded = await mapWithConcurrency(middle.slice(0, limits.maxExpansions), limits.concurrency, async (id) => ({
      contactId: id,
      ...(await tiesOf(id)),
    }));
    for (const list of expanded) {
      if (list.truncated) complete = false;
      lists.push(list);
    }
  }
  return {
    results: rankIntroductions(tieGraph(lists), source, target, limits.maxHops, limits.maxPaths),
    complete,
    listsRead: lists.length,
  };
}

async function mapWithConcurrency<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
