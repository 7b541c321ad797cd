import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inverseOf, isTypeKey, relationshipSides } from '../../shared/domain/relationships.ts';
import { searchIntroductions, type ListedTie } from '../../shared/domain/introductions.ts';
import { ValidationError } from '../../shared/domain/errors.ts';

const A = '01A00000000000000000000000';
const B = '01B00000000000000000000000';

describe('relationship types', () => {
  it.each([
    ['reports_to', 'manages'],
    ['introduced_by', 'introduced'],
    ['colleague', 'colleague'],
    ['family', 'family'],
  ])('stores %s with its inverse %s at the other end', (type, inverse) => {
    const { side, inverse: other } = relationshipSides(A, { otherId: B, type, strength: 0.8 });
    expect(side).toMatchObject({ contactId: A, otherId: B, typeKey: type, strength: 0.8 });
    expect(other).toMatchObject({ contactId: B, otherId: A, typeKey: inverse, strength: 0.8 });
    expect(inverseOf(other)).toEqual(side);
  });

  it('gives custom ties a key from their label and an inverse label when the ends differ', () => {
    const { side, inverse } = relationshipSides(A, { otherId: B, type: 'custom', label: 'Mentör', inverseLabel: 'Mentee' });
    expect(side).toMatchObject({ typeKey: 'custom:mentor', label: 'Mentör', inverseLabel: 'Mentee' });
    expect(inverse).toMatchObject({ typeKey: 'custom:mentee', label: 'Mentee', inverseLabel: 'Mentör' });
    expect(inverseOf(inverse)).toEqual(side);
    const symmetric = relationshipSides(A, { otherId: B, type: 'custom', label: 'Chess partner' });
    expect(symmetric.inverse.typeKey).toBe('custom:chess-partner');
    expect(isTypeKey('custom:chess-partner') && isTypeKey('manages')).toBe(true);
    expect(isTypeKey('enemy') || isTypeKey('custom:') || isTypeKey('..')).toBe(false);
  });

  it('refuses a tie to oneself, a custom tie without a label and a label on a built-in type', () => {
    expect(() => relationshipSides(A, { otherId: A, type: 'friend' })).toThrow(ValidationError);
    expect(() => relationshipSides(A, { otherId: B, type: 'custom', label: '!!!' })).toThrow(ValidationError);
    expect(() => relationshipSides(A, { otherId: B, type: 'friend', label: 'best' })).toThrow(ValidationError);
    expect(() => relationshipSides(A, { otherId: B, type: 'friend', strength: 1.5 })).toThrow(ValidationError);
  });
});

/** A random undirected graph with typed, weighted edges, as tie lists per contact. */
const graphs = fc
  .tuple(
    fc.integer({ min: 2, max: 9 }),
    fc.array(fc.tuple(fc.nat(8), fc.nat(8), fc.integer({ min: 1, max: 10 })), { maxLength: 30 }),
  )
  .map(([size, edges]) => {
    const names = Array.from({ length: size }, (_, i) => `c${i}`);
    const lists = new Map<string, ListedTie[]>(names.map((n) => [n, []]));
    for (const [x, y, weight] of edges) {
      const a = names[x % size]!;
      const b = names[y % size]!;
      if (a === b) continue;
      lists.get(a)!.push({ otherId: b, strength: weight / 10, typeKey: 'friend', inverseTypeKey: 'friend' });
      lists.get(b)!.push({ otherId: a, strength: weight / 10, typeKey: 'friend', inverseTypeKey: 'friend' });
    }
    return { names, lists };
  });

/** Every simple path of at most three hops, by brute force over the whole graph. */
function bruteForce(lists: Map<string, ListedTie[]>, source: string, target: string): Map<string, number> {
  const best = (a: string, b: string) =>
    Math.max(
      ...lists
        .get(a)!
        .filter((t) => t.otherId === b)
        .map((t) => t.strength),
    );
  const paths = new Map<string, number>();
  const walk = (path: string[]) => {
    const here = path[path.length - 1]!;
    for (const next of new Set(lists.get(here)!.map((t) => t.otherId))) {
      if (path.includes(next)) continue;
      const reached = [...path, next];
      if (next === target) {
        paths.set(
          reached.join('>'),
          reached.slice(1).reduce((p, id, i) => p * best(reached[i]!, id), 1),
        );
      } else if (reached.length <= 3) walk(reached);
    }
  };
  walk([source]);
  return paths;
}

const limits = { maxHops: 3, maxPaths: 1000, maxExpansions: 1000, concurrency: 4 };

describe('introduction search', () => {
  it('finds exactly the paths of up to three hops a brute-force walk finds, strongest first', async () => {
    await fc.assert(
      fc.asyncProperty(graphs, async ({ names, lists }) => {
        const [source, target] = [names[0]!, names[names.length - 1]!];
        const search = await searchIntroductions(
          source,
          target,
          async (id) => ({ ties: lists.get(id) ?? [], truncated: false }),
          limits,
        );
        const expected = bruteForce(lists, source, target);
        expect(new Set(search.results.map((p) => p.contactIds.join('>')))).toEqual(new Set(expected.keys()));
        for (const path of search.results) {
          expect(path.strength).toBeCloseTo(expected.get(path.contactIds.join('>'))!, 12);
          expect(path.hops).toBeLessThanOrEqual(3);
        }
        const strengths = search.results.map((p) => p.strength);
        expect(strengths).toEqual([...strengths].sort((a, b) => b - a));
        expect(search.complete).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reads at most two lists plus the expansions, and says when a limit cut it short', async () => {
    const lists = new Map<string, ListedTie[]>();
    const tie = (otherId: string, strength = 0.5): ListedTie => ({
      otherId,
      strength,
      typeKey: 'colleague',
      inverseTypeKey: 'colleague',
    });
    lists.set(
      's',
      Array.from({ length: 10 }, (_, i) => tie(`a${i}`, (i + 1) / 10)),
    );
    lists.set(
      't',
      Array.from({ length: 20 }, (_, i) => tie(`b${i}`)),
    );
    for (let i = 0; i < 10; i++) lists.set(`a${i}`, [tie('s', (i + 1) / 10), tie(`b${i}`)]);
    let reads = 0;
    const search = await searchIntroductions(
      's',
      't',
      async (id) => {
        reads++;
        return { ties: lists.get(id) ?? [], truncated: false };
      },
      { ...limits, maxExpansions: 3 },
    );
    expect(reads).toBe(5);
    expect(search.listsRead).toBe(5);
    expect(search.complete).toBe(false);
    // only the three strongest first hops were expanded: their paths are found, the best first
    expect(search.results.map((p) => p.contactIds.join('>'))).toEqual(['s>a9>b9>t', 's>a8>b8>t', 's>a7>b7>t']);
  });

  it('prefers two strong hops over one weak direct tie (product, not minimum)', async () => {
    const t = (otherId: string, strength: number): ListedTie => ({
      otherId,
      strength,
      typeKey: 'friend',
      inverseTypeKey: 'friend',
    });
    const lists = new Map<string, ListedTie[]>([
      ['s', [t('m', 0.9), t('x', 0.5)]],
      ['m', [t('s', 0.9), t('x', 0.9)]],
      ['x', [t('s', 0.5), t('m', 0.9)]],
    ]);
    const search = await searchIntroductions('s', 'x', async (id) => ({ ties: lists.get(id)!, truncated: false }), limits);
    expect(search.results.map((p) => p.contactIds.join('>'))).toEqual(['s>m>x', 's>x']);
    expect(search.results[0]!.strength).toBeCloseTo(0.81);
  });
});
