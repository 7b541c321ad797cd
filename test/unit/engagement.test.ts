import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ENGAGEMENT_HALF_LIFE_DAYS,
  INBOUND_MULTIPLIER,
  INTERACTION_WEIGHTS,
  engagementAt,
  engagementOf,
  withInteraction,
  type Interaction,
} from '../../shared/domain/engagement.ts';

const DAY = 24 * 60 * 60 * 1000;
const HALF_LIFE = ENGAGEMENT_HALF_LIFE_DAYS * DAY;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const interaction = fc.record({
  kind: fc.constantFrom('email', 'call', 'meeting') as fc.Arbitrary<Interaction['kind']>,
  direction: fc.constantFrom(undefined, 'in', 'out') as fc.Arbitrary<Interaction['direction']>,
  occurredAt: fc.integer({ min: 0, max: 3 * 365 }).map((days) => new Date(T0 + days * DAY).toISOString()),
});

/** The definition, summed directly: Σ weight · 2^(−age / halfLife). */
function scoreByDefinition(interactions: Interaction[], at: number): number {
  return interactions.reduce((sum, i) => {
    const weight = INTERACTION_WEIGHTS[i.kind] * (i.direction === 'in' ? INBOUND_MULTIPLIER : 1);
    return sum + weight * 2 ** (-(at - Date.parse(i.occurredAt)) / HALF_LIFE);
  }, 0);
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('engagement score', () => {
  it('equals the definition at the newest interaction, whatever order interactions are logged in', () => {
    fc.assert(
      fc.property(fc.array(interaction, { minLength: 1, maxLength: 40 }), (interactions) => {
        const engagement = engagementOf(interactions)!;
        const newest = Math.max(...interactions.map((i) => Date.parse(i.occurredAt)));
        expect(engagement.lastInteractionAt).toBe(new Date(newest).toISOString());
        expect(close(engagement.engagementScore, scoreByDefinition(interactions, newest))).toBe(true);
      }),
    );
  });

  it("does not depend on the order (logging last week's call today gives the same score)", () => {
    const withPermutation = fc
      .array(interaction, { minLength: 1, maxLength: 30 })
      .chain((list) =>
        fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })),
      );
    fc.assert(
      fc.property(withPermutation, ([interactions, permuted]) => {
        const a = engagementOf(interactions)!;
        const b = engagementOf(permuted)!;
        expect(b.lastInteractionAt).toBe(a.lastInteractionAt);
        expect(close(b.engagementScore, a.engagementScore)).toBe(true);
      }),
    );
  });

  it('only grows when an interaction is added, and never beyond the sum of the weights', () => {
    fc.assert(
      fc.property(fc.array(interaction, { minLength: 1, maxLength: 30 }), interaction, (interactions, extra) => {
        const before = engagementOf(interactions)!;
        const after = withInteraction(before, extra);
        const at = Math.max(Date.parse(before.lastInteractionAt), Date.parse(after.lastInteractionAt));
        expect(engagementAt(after, new Date(at))! + 0.01).toBeGreaterThanOrEqual(engagementAt(before, new Date(at))!);
        const total = [...interactions, extra].reduce((s, i) => s + INTERACTION_WEIGHTS[i.kind] * INBOUND_MULTIPLIER, 0);
        expect(after.engagementScore).toBeLessThanOrEqual(total + 1e-9);
      }),
    );
  });

  it('halves every half-life without new interactions', () => {
    const engagement = engagementOf([{ kind: 'meeting', occurredAt: new Date(T0).toISOString() }])!;
    expect(engagementAt(engagement, new Date(T0))).toBe(5);
    expect(engagementAt(engagement, new Date(T0 + HALF_LIFE))).toBe(2.5);
    expect(engagementAt(engagement, new Date(T0 + 2 * HALF_LIFE))).toBe(1.25);
  });

  it('ranks frequent and recent contact above a single old meeting', () => {
    const now = new Date(T0 + 90 * DAY);
    const old = engagementOf([{ kind: 'meeting', occurredAt: new Date(T0).toISOString() }])!;
    const recent = engagementOf(
      [80, 85, 89].map((d) => ({
        kind: 'email' as const,
        direction: 'in' as const,
        occurredAt: new Date(T0 + d * DAY).toISOString(),
      })),
    )!;
    expect(engagementAt(recent, now)!).toBeGreaterThan(engagementAt(old, now)!);
  });

  it('counts an inbound interaction more than an outbound one', () => {
    const at = new Date(T0).toISOString();
    expect(engagementOf([{ kind: 'email', direction: 'in', occurredAt: at }])!.engagementScore).toBeGreaterThan(
      engagementOf([{ kind: 'email', direction: 'out', occurredAt: at }])!.engagementScore,
    );
  });
});
