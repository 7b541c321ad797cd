import type { Activity, ActivityContent, SystemEvent } from './activity.ts';

export type { Activity, ActivityContent };

/** What Kith writes on a timeline by itself, apart from activity.ts's input rules (zod), which its consumers do not load. */

/** A system entry: what Kith records about a contact on its own. */
export function systemEntry(
  event: SystemEvent,
  subject: string,
  occurredAt: string,
  data?: Record<string, unknown>,
): ActivityContent {
  return { kind: 'system', systemEvent: event, subject, occurredAt, participants: [], ...(data ? { data } : {}) };
}
