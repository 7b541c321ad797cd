import * as z from 'zod';
import { WorkflowAction, WorkflowInput, WorkflowTrigger } from '../../../shared/domain/workflow.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { EntityMeta, IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';
import { DeliveryView } from './webhooks.ts';

const WorkflowView = z
  .object({
    ...EntityMeta,
    name: z.string(),
    description: z.string().optional(),
    enabled: z.boolean(),
    trigger: WorkflowTrigger,
    conditions: z.unknown().optional().meta({ description: 'A filter (the filter language)' }),
    actions: z.array(WorkflowAction),
  })
  .meta({ id: 'Workflow' });

const WithSecret = WorkflowView.extend({
  secret: z.string().meta({ description: 'Signs the webhook actions (`whsec_…`); shown in this response only' }),
}).meta({ id: 'WorkflowWithSecret' });

const RunView = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    workflowVersion: z.number().int(),
    contactId: z.string(),
    key: z
      .string()
      .meta({
        description: 'Names the cause: `event:<eventId>`, `segment:<id>:<version>`, `inactivity:<since>`, `date:<field>:<date>`',
      }),
    cause: z.object({ kind: z.enum(['event', 'segment', 'period']) }).loose(),
    trigger: z.string(),
    depth: z.number().int().meta({ description: '1, or n + 1 when a depth-n run’s write set it off' }),
    status: z.enum(['running', 'succeeded', 'failed']),
    actions: z.array(WorkflowAction).meta({ description: 'The actions as they were when the run started' }),
    outcomes: z.array(
      z.object({
        action: z.number().int(),
        type: z.string(),
        status: z.enum(['ok', 'skipped', 'failed']),
        message: z.string().optional(),
        ref: z
          .string()
          .optional()
          .meta({ description: 'What the action made or chose: a task, activity or delivery id, an owner' }),
      }),
    ),
    attempts: z.number().int(),
    lastError: z.string().optional(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().optional(),
    leaseUntil: z.iso.datetime().optional(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WorkflowRun' });

const noStore = { 'cache-control': 'no-store' };

export const workflowOperations = {
  createWorkflow: operation({
    tag: 'Workflows',
    summary: 'Create a workflow',
    description:
      'When the trigger fires for a contact that meets the conditions (the filter language, on the current record), ' +
      'the actions run once per contact and cause. Fields, values, segments and webhook URLs are checked now (422 naming the path). ' +
      'The secret that signs its webhook actions is in this response only.',
    body: WorkflowInput,
    idempotent: true,
    responses: { 201: { description: 'The workflow, with its signing secret', schema: WithSecret } },
    async handle({ body, principal }, { workflows }) {
      const workflow = await workflows.create(body, principal.id);
      return {
        status: 201,
        body: workflow,
        version: workflow.version,
        location: `/v1/workflows/${workflow.id}`,
        headers: noStore,
      };
    },
  }),

  listWorkflows: operation({
    tag: 'Workflows',
    summary: 'List workflows, newest first',
    query: PageQuery,
    responses: { 200: { description: 'A page of workflows', schema: pageOf(WorkflowView) } },
    async handle({ query }, { workflows }) {
      return { body: await workflows.list(query) };
    },
  }),

  getWorkflow: operation({
    tag: 'Workflows',
    summary: 'Read a workflow',
    params: IdParams,
    responses: { 200: { description: 'The workflow', schema: WorkflowView } },
    async handle({ params }, { workflows }) {
      const workflow = await workflows.get(params.id);
      return { body: workflow, version: workflow.version };
    },
  }),

  updateWorkflow: operation({
    tag: 'Workflows',
    summary: 'Change a workflow (JSON merge patch)',
    description:
      '`trigger`, `conditions` and `actions` are replaced whole; `conditions: null` removes them. Runs already started keep their actions.',
    params: IdParams,
    body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON merge patch of the workflow' }),
    responses: {
      200: { description: 'The workflow', schema: WorkflowView },
      412: { description: 'If-Match names an older version' },
    },
    async handle({ params, body, headers, principal }, { workflows }) {
      const workflow = await workflows.update(params.id, body, principal.id, ifMatchVersion(headers, 'workflow', params.id));
      return { body: workflow, version: workflow.version };
    },
  }),

  deleteWorkflow: operation({
    tag: 'Workflows',
    summary: 'Delete a workflow',
    description: 'Runs already started finish; their records expire on their own.',
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, 412: { description: 'If-Match names an older version' } },
    async handle({ params, headers }, { workflows }) {
      await workflows.remove(params.id, ifMatchVersion(headers, 'workflow', params.id));
      return { status: 204 };
    },
  }),

  rotateWorkflowSecret: operation({
    tag: 'Workflows',
    summary: 'Replace the secret that signs the workflow’s webhook actions',
    params: IdParams,
    idempotent: true,
    responses: { 200: { description: 'The workflow, with its new secret', schema: WithSecret } },
    async handle({ params, principal }, { workflows }) {
      const workflow = await workflows.rotateSecret(params.id, principal.id);
      return { body: workflow, version: workflow.version, headers: noStore };
    },
  }),

  listWorkflowRuns: operation({
    tag: 'Workflows',
    summary: 'The runs of a workflow, newest first',
    description: 'One run per contact and cause, with how each action went (ok, skipped or failed, with a message).',
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of runs', schema: pageOf(RunView) } },
    async handle({ params, query }, { workflows }) {
      return { body: await workflows.runsOf(params.id, query) };
    },
  }),

  listWorkflowDeliveries: operation({
    tag: 'Workflows',
    summary: 'The deliveries of a workflow’s webhook actions, newest first',
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of deliveries', schema: pageOf(DeliveryView) } },
    async handle({ params, query }, { workflows }) {
      return { body: await workflows.deliveriesOf(params.id, query) };
    },
  }),
};
