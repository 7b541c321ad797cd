/**
 * How engaged a contact is: every interaction adds its weight, and every weight halves each
 * ENGAGEMENT_HALF_LIFE_DAYS after it happened. So the score rewards both frequency (many
 * interactions add up) and recency (old ones fade), and is one number per contact:
 *
 *   score(t) = Σ weight(i) · 2^(−(t − occurredAt(i)) / halfLife)
 *
 * Exponential decay is memoryless, which is what makes it cheap: the score at the newest
 * interaction (stored as `engagementScore`, beside `lastInteractionAt`) is enough to add the
 * next interaction in O(1) and to read the score at any later time.
 */

export const ENGAGEMENT_HALF_LIFE_DAYS = 30;
const HALF_LIFE_MS = ENGAGEMENT_HALF_LIFE_DAYS * 24 * 60 * 60 * 1000;

/** What one interaction is worth when it happens: a meeting says more than an email. */
export const INTERACTION_WEIGHTS = { email: 1, call: 3, meeting: 5 } as const;
/** They reached out to us (a reply, a returned call): counts this many times an outbound one. */
export const INBOUND_MULTIPLIER = 2;

export type InteractionKind = keyof typeof INTERACTION_WEIGHTS;

/** The score explained to API readers, from the constants themselves. */
export const ENGAGEMENT_DESCRIPTION =
  `Engagement as of lastInteractionAt: the sum of each interaction's weight (${Object.entries(INTERACTION_WEIGHTS)
    .map(([kind, weight]) => `${kind} ${weight}`)
    .join(', ')}; ×${INBOUND_MULTIPLIER} when inbound), each halved every ${ENGAGEMENT_HALF_LIFE_DAYS} days since it happened. ` +
  `Its value today is engagementScore × 2^(−days since lastInteractionAt / ${ENGAGEMENT_HALF_LIFE_DAYS}).`;

/** Interactions with the person; notes and system entries are about them, not with them. */
export function isInteraction(kind: string): kind is InteractionKind {
  return Object.hasOwn(INTERACTION_WEIGHTS, kind);
}

export interface Interaction {
  kind: InteractionKind;
  direction?: 'in' | 'out';
  occurredAt: string;
}

/** The stored form: the score as of the newest interaction, and when that was. */
export interface Engagement {
  engagementScore: number;
  lastInteractionAt: string;
}

export function weightOf(interaction: Pick<Interaction, 'kind' | 'direction'>): number {
  return INTERACTION_WEIGHTS[interaction.kind] * (interaction.direction === 'in' ? INBOUND_MULTIPLIER : 1);
}

/** A score as of `fromMs`, seen at `toMs` (never grows when `toMs` is earlier). */
export function decayed(score: number, fromMs: number, toMs: number): number {
  return score * 2 ** (-Math.max(0, toMs - fromMs) / HALF_LIFE_MS);
}

/**
 * Adds one interaction, in O(1), whenever it happened: a late-logged older call is decayed to
 * the newest interaction; a newer one decays the score to itself first.
 */
export function withInteraction(current: Engagement | undefined, interaction: Interaction): Engagement {
  const weight = weightOf(interaction);
  const at = Date.parse(interaction.occurredAt);
  if (!current) return { engagementScore: weight, lastInteractionAt: interaction.occurredAt };
  const last = Date.parse(current.lastInteractionAt);
  if (at <= last) {
    return { engagementScore: current.engagementScore + decayed(weight, at, last), lastInteractionAt: current.lastInteractionAt };
  }
  return { engagementScore: decayed(current.engagementScore, last, at) + weight, lastInteractionAt: interaction.occurredAt };
}

/** The engagement of a whole timeline, for recomputing after an interaction is edited or removed. */
export function engagementOf(interactions: Iterable<Interaction>): Engagement | undefined {
  let engagement: Engagement | undefined;
  for (const interaction of interactions) engagement = withInteraction(engagement, interaction);
  return engagement;
}

/** The score as it stands at `now`, rounded for people to read. */
export function engagementAt(engagement: Partial<Engagement>, now: Date): number | undefined {
  if (engagement.engagementScore === undefined || !engagement.lastInteractionAt) return undefined;
  const score = decayed(engagement.engagementScore, Date.parse(engagement.lastInteractionAt), now.getTime());
  return Math.round(score * 100) / 100;
}

/**
 * Interactions older than this many half-lives before the newest one weigh less than a
 * millionth of their worth: recomputing a score may stop reading the timeline there.
 */
export const NEGLIGIBLE_AFTER_HALF_LIVES = 20;

export function negligibleBefore(newest: string): string {
  return new Date(Date.parse(newest) - NEGLIGIBLE_AFTER_HALF_LIVES * HALF_LIFE_MS).toISOString();
}
