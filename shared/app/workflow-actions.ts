import {
  daysAfter,
  renderTemplate,
  roundRobinOwner,
  setFieldPatch,
  workflowActor,
  type ActionOutcome,
  type Workflow,
  type WorkflowRun,
} from '../domain/workflow.ts';
import type { Contact } from '../domain/contact.ts';
import { VersionMismatchError, ConflictError } from '../domain/errors.ts';
import { idFor } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import type { Store } from '../store/client.ts';
import { transactWrite } from '../store/transact.ts';
import { RunMemoTakenError, type WorkflowRepository, type WorkflowRunRepository } from '../store/workflows.ts';
import type { ContactService } from './contacts.ts';
import type { TaskService } from './tasks.ts';
import type { TimelineService } from './timeline.ts';
import type { WebhookDispatcher } from './webhook-dispatcher.ts';
import type { Needs } from './services.ts';

/** The type of a workflow webhook action's deliveries (the Standard Webhooks `type`). */
export const WORKFLOW_WEBHOOK_TYPE = 'workflow.webhook';

/**
 * Performs one action of a run, idempotently: doing it again (a run resumed after a crash, two
 * processes on the same run) changes nothing more. What an action creates has an id derived from
 * the run and the action's position (tasks, timeline notes, webhook deliveries); what it changes
 * is written only when it is not so already (tags, fields, owners); a round robin's choice is
 * kept in the run, in the same transaction that advances the counter.
 */
export class WorkflowActions {
  private readonly store: Store;
  private readonly workflows: WorkflowRepository;
  private readonly runs: WorkflowRunRepository;
  private readonly contacts: ContactService;
  private readonly tasks: TaskService;
  private readonly timeline: TimelineService;
  private readonly webhooks: WebhookDispatcher;

  constructor(deps: {
    store: Store;
    workflows: WorkflowRepository;
    runs: WorkflowRunRepository;
    contacts: ContactService;
    tasks: TaskService;
    timeline: TimelineService;
    webhooks: WebhookDispatcher;
  }) {
    this.store = deps.store;
    this.workflows = deps.workflows;
    this.runs = deps.runs;
    this.contacts = deps.contacts;
    this.tasks = deps.tasks;
    this.timeline = deps.timeline;
    this.webhooks = deps.webhooks;
  }

  /**
   * Performs action `index` of `run`. Throws only what may go away on a retry (the store, the
   * network); a contact that is gone or a value the contact refuses is a `failed` outcome.
   * `workflow` is undefined when it was deleted while the run waited to be resumed.
   */
  async perform(run: WorkflowRun, index: number, workflow: Workflow | undefined): Promise<ActionOutcome> {
    const action = run.actions[index]!;
    const done = (status: ActionOutcome['status'], extra: { message?: string; ref?: string } = {}): ActionOutcome => ({
      action: index,
      type: action.type,
      status,
      ...extra,
    });
    const actor = workflowActor(run.workflowId, run.depth);
    // Names what this action creates: the same on every attempt of this run, unique across runs.
    const cause = `${run.workflowId}:${run.contactId}:${run.key}:${index}`;
    const madeAt = Date.parse(run.startedAt);

    switch (action.type) {
      case 'create_task': {
        const contact = await this.contacts.get(run.contactId);
        const assigneeId = action.assignee === 'owner' ? contact.ownerId : action.assignee;
        const { task, created } = await this.tasks.createOnce(
          idFor(madeAt, cause),
          {
            title: renderTemplate(action.title, contact) || action.title,
            ...(action.description ? { description: action.description } : {}),
            contactId: contact.id,
            ...(assigneeId ? { assigneeId } : {}),
            dueAt: daysAfter(run.startedAt, action.dueInDays),
            ...(action.remindInDays !== undefined ? { remindAt: daysAfter(run.startedAt, action.remindInDays) } : {}),
          },
          actor,
        );
        const unassigned = action.assignee === 'owner' && !assigneeId ? 'the contact has no owner: left unassigned' : undefined;
        return done('ok', {
          ref: task.id,
          ...(created ? (unassigned ? { message: unassigned } : {}) : { message: 'created before' }),
        });
      }
      case 'add_tag':
      case 'remove_tag': {
        const adding = action.type === 'add_tag';
        const { changed } = await this.contacts.tagIfNeeded(
          run.contactId,
          adding ? { add: [action.tag] } : { remove: [action.tag] },
          actor,
        );
        return changed ? done('ok') : done('skipped', { message: adding ? 'already tagged' : 'not tagged' });
      }
      case 'set_field': {
        const { changed } = await this.contacts.updateIfChanged(run.contactId, setFieldPatch(action.field, action.value), actor);
        return changed ? done('ok') : done('skipped', { message: 'already so' });
      }
      case 'assign_owner': {
        const owner = await this.ownerFor(run, index, action.roundRobin);
        const { changed } = await this.contacts.updateIfChanged(run.contactId, { ownerId: owner }, actor);
        return done(changed ? 'ok' : 'skipped', { ref: owner, ...(changed ? {} : { message: 'already the owner' }) });
      }
      case 'log_activity': {
        const contact = await this.contacts.get(run.contactId);
        const { activity, created } = await this.timeline.logOnce(
          contact.id,
          { kind: action.kind, body: renderTemplate(action.text, contact) || action.text, occurredAt: run.startedAt },
          cause,
          actor,
        );
        return done('ok', { ref: activity.id, ...(created ? {} : { message: 'logged before' }) });
      }
      case 'webhook': {
        if (!workflow) return done('skipped', { message: 'the workflow was deleted' });
        const contact = await this.contacts.get(run.contactId);
        const delivery = await this.webhooks.deliverForWorkflow({
          id: idFor(madeAt, cause),
          workflowId: workflow.id,
          secret: workflow.secret,
          url: action.url,
          runKey: run.key,
          contactId: contact.id,
          type: WORKFLOW_WEBHOOK_TYPE,
          timestamp: run.startedAt,
          data: webhookData(workflow, run, contact),
        });
        if (delivery.status === 'failed') {
          return done('failed', { ref: delivery.id, message: delivery.lastError ?? `answered ${delivery.lastStatusCode}` });
        }
        const message =
          delivery.status === 'delivered'
            ? undefined
            : `not delivered yet (${delivery.lastError ?? `answered ${delivery.lastStatusCode}`}); retried with backoff`;
        return done('ok', { ref: delivery.id, ...(message ? { message } : {}) });
      }
    }
  }

  /**
   * The owner the round robin hands this run: taken once (the counter moves and the run keeps
   * its choice in one transaction) and read back from the run ever after.
   */
  private async ownerFor(run: WorkflowRun, index: number, owners: readonly string[]): Promise<string> {
    const name = `owner:${index}`;
    const kept = run.memo[name];
    if (kept) return kept;
    for (let attempt = 1; ; attempt++) {
      const { turn, version } = await this.workflows.turn(run.workflowId, index);
      const owner = roundRobinOwner(owners, turn);
      try {
        // The run's memo first: when both conditions fail, the choice made before is what counts.
        await transactWrite(this.store, [
          this.runs.memoWrite(run, name, owner),
          this.workflows.turnTaken(run.workflowId, index, turn, version),
        ]);
        run.memo[name] = owner;
        return owner;
      } catch (error) {
        if (error instanceof RunMemoTakenError && error.value) {
          run.memo[name] = error.value;
          return error.value;
        }
        // Another run took this turn meanwhile: take the next one.
        const raced = error instanceof VersionMismatchError || error instanceof ConflictError;
        if (!raced || attempt >= LIMITS.maxOptimisticRetries * 4) throw error;
      }
    }
  }
}

/** What a workflow webhook action tells its receiver: which workflow, which run, and the contact as it is now. */
function webhookData(workflow: Workflow, run: WorkflowRun, contact: Contact): Record<string, unknown> {
  return {
    workflow: { id: workflow.id, name: workflow.name },
    run: { id: run.id, trigger: run.trigger, cause: run.cause },
    contact,
  };
}

export const workflowActions = (
  parts: Needs<'store' | 'workflowRepository' | 'workflowRuns' | 'contacts' | 'tasks' | 'timeline' | 'webhookDispatcher'>,
) =>
  new WorkflowActions({
    store: parts.store,
    workflows: parts.workflowRepository,
    runs: parts.workflowRuns,
    contacts: parts.contacts,
    tasks: parts.tasks,
    timeline: parts.timeline,
    webhooks: parts.webhookDispatcher,
  });
