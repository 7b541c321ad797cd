import * as z from 'zod';
import { ACTIVITY_KINDS, DIRECTIONS, Participant, SYSTEM_EVENTS, ActivityInput } from '../../../shared/domain/activity.ts';
import { ENGAGEMENT_HALF_LIFE_DAYS } from '../../../shared/domain/engagement.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { EntityMeta, IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';

export const ActivityView = z
  .object({
    ...EntityMeta,
    contactId: z.string(),
    kind: z.enum(ACTIVITY_KINDS),
    direction: z.enum(DIRECTIONS).optional(),
    durationSeconds: z.number().int().optional(),
    outcome: z.string().optional(),
    participants: z.array(Participant),
    subject: z.string().optional(),
    body: z.string().optional(),
    occurredAt: z.iso.datetime(),
    systemEvent: z.enum(SYSTEM_EVENTS).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Activity' });

const ActivityParams = IdParams.extend({ activityId: z.string().min(1).max(256) });
const activityResponse = { description: 'The activity', schema: ActivityView };

export const activityOperations = {
  logActivity: operation({
    tag: 'Timeline',
    summary: 'Log a note, call, email or meeting',
    description:
      "Calls, emails and meetings are interactions: they move the contact's `lastInteractionAt` and `engagementScore` " +
      `(each interaction's weight halves every ${ENGAGEMENT_HALF_LIFE_DAYS} days), and with them its version. ` +
      '`occurredAt` defaults to now and cannot be in the future.',
    params: IdParams,
    body: ActivityInput,
    idempotent: true,
    responses: { 201: activityResponse },
    async handle({ params, body, principal }, { timeline }) {
      const activity = await timeline.log(params.id, body, principal.id);
      return {
        status: 201,
        body: activity,
        version: activity.version,
        location: `/v1/contacts/${activity.contactId}/activities/${activity.id}`,
        aboutContacts: [activity.contactId],
      };
    },
  }),

  listActivities: operation({
    tag: 'Timeline',
    summary: "A contact's timeline, newest first",
    description: 'Ordered by when things happened (`occurredAt`), not when they were logged.',
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of activities', schema: pageOf(ActivityView) } },
    async handle({ params, query }, { timeline }) {
      return { body: await timeline.list(params.id, query) };
    },
  }),

  getActivity: operation({
    tag: 'Timeline',
    summary: 'Read one activity',
    params: ActivityParams,
    responses: { 200: activityResponse },
    async handle({ params }, { timeline }) {
      const activity = await timeline.get(params.id, params.activityId);
      return { body: activity, version: activity.version };
    },
  }),

  updateActivity: operation({
    tag: 'Timeline',
    summary: 'Edit an activity (JSON merge patch)',
    description: '`kind` and `occurredAt` place the entry and cannot change; system entries cannot change at all (409).',
    params: ActivityParams,
    body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON merge patch of the activity' }),
    responses: { 200: activityResponse, 409: { description: 'A system entry' } },
    async handle({ params, body, headers, principal }, { timeline }) {
      const ifMatch = ifMatchVersion(headers, 'activity', params.activityId);
      const activity = await timeline.update(params.id, params.activityId, body, principal.id, ifMatch);
      return { body: activity, version: activity.version };
    },
  }),

  deleteActivity: operation({
    tag: 'Timeline',
    summary: 'Delete an activity',
    description: "Deleting an interaction recomputes the contact's engagement.",
    params: ActivityParams,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'A system entry' } },
    async handle({ params, headers, principal }, { timeline }) {
      await timeline.remove(params.id, params.activityId, principal.id, ifMatchVersion(headers, 'activity', params.activityId));
      return { status: 204 };
    },
  }),
};
