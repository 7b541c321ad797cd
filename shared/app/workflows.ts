import {
  isTimeTrigger,
  normalizeWorkflow,
  patchWorkflow,
  runDepthFor,
  runKey,
  workflowFieldErrors,
  workflowFields,
  type RunCause,
  type TimeTrigger,
  type Workflow,
  type WorkflowFields,
  type WorkflowRun,
} from '../domain/workflow.ts';
import {
  candidateFilter,
  causeOfChange,
  contactBefore,
  evaluatedDaily,
  mayReact,
  periodOf,
  segmentStep,
  startOfUtcDay,
  type ContactChange,
} from '../domain/workflow-triggers.ts';
import {
  compileFilter,
  matchesFilter,
  MATCH_ALL,
  type CompiledFilter,
  type Filter,
  type FilterContext,
} from '../domain/filter.ts';
import { DomainError, NotFoundError, ValidationError, VersionMismatchError, type FieldError } from '../domain/errors.ts';
import { generateWebhookSecret } from '../domain/webhooks.ts';
import { sweepPlan } from '../domain/due.ts';
import { newId } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import type { Clock } from '../domain/clock.ts';
import type { Contact } from '../domain/contact.ts';
import type { Segment } from '../domain/segment.ts';
import type { KithEvent } from '../events/types.ts';
import type { Store } from '../store/client.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { SegmentRepository } from '../store/segments.ts';
import { transactWrite } from '../store/transact.ts';
import { firstVersion, nextVersion } from '../store/records.ts';
import type { DeliveryRepository, WebhookDelivery } from '../store/webhooks.ts';
import {
  RunExistsError,
  type SegmentMemberRepository,
  type WorkflowRepository,
  type WorkflowRunRepository,
} from '../store/workflows.ts';
import type { ContactService } from './contacts.ts';
import type { ContactSearchService } from './search.ts';
import type { WebhookService } from './webhooks.ts';
import type { WorkflowActions } from './workflow-actions.ts';
import { writeWithRetry } from './optimistic.ts';
import type { Needs } from './services.ts';

/** A workflow as the API shows it: never with its secret, except once when it is created or rotated. */
export type WorkflowView = Omit<Workflow, 'secret'>;
/** A run as the API shows it (its memo is the engine's own). */
export type WorkflowRunView = Omit<WorkflowRun, 'memo'>;

function viewOf(workflow: Workflow): WorkflowView {
  const { secret: _secret, ...view } = workflow;
  return view;
}

function runViewOf(run: WorkflowRun): WorkflowRunView {
  const { memo: _memo, ...view } = run;
  return view;
}

/**
 * Workflow definitions: checked against the live contact fields, segments and webhook rules
 * when saved (422 naming each path), so a saved workflow can run.
 */
export class WorkflowService {
  readonly repository: WorkflowRepository;
  private readonly runs: WorkflowRunRepository;
  private readonly deliveries: DeliveryRepository;
  private readonly contacts: ContactService;
  private readonly segments: SegmentRepository;
  private readonly search: ContactSearchService;
  private readonly webhooks: WebhookService;
  private readonly clock: Clock;

  constructor(deps: {
    repository: WorkflowRepository;
    runs: WorkflowRunRepository;
    deliveries: DeliveryRepository;
    contacts: ContactService;
    segments: SegmentRepository;
    search: ContactSearchService;
    webhooks: WebhookService;
    clock: Clock;
  }) {
    this.repository = deps.repository;
    this.runs = deps.runs;
    this.deliveries = deps.deliveries;
    this.contacts = deps.contacts;
    this.segments = deps.segments;
    this.search = deps.search;
    this.webhooks = deps.webhooks;
    this.clock = deps.clock;
  }

  async create(input: unknown, actor: string): Promise<WorkflowView & { secret: string }> {
    const fields = await this.checked(normalizeWorkflow(input));
    const workflow: Workflow = {
      ...fields,
      secret: generateWebhookSecret(),
      ...firstVersion(this.clock, actor, newId(this.clock.now().getTime())),
    };
    await this.repository.put(workflow, 0);
    return { ...viewOf(workflow), secret: workflow.secret };
  }

  async get(id: string): Promise<WorkflowView> {
    return viewOf(await this.repository.require(id));
  }

  async list(page: PageRequest): Promise<Page<WorkflowView>> {
    const found = await this.repository.list(page);
    return { results: found.results.map(viewOf), nextCursor: found.nextCursor };
  }

  /** JSON merge patch; the trigger and the conditions are replaced whole. */
  async update(id: string, patch: unknown, actor: string, ifMatch?: number): Promise<WorkflowView> {
    const next = await this.replace(id, ifMatch, actor, async (current) => ({
      ...(await this.checked(patchWorkflow(current, patch))),
      secret: current.secret,
    }));
    return viewOf(next);
  }

  /** A new signing secret, shown in this response only; the old one stops signing at once. */
  async rotateSecret(id: string, actor: string): Promise<WorkflowView & { secret: string }> {
    const next = await this.replace(
      id,
      undefined,
      actor,
      async ({ name, description, enabled, trigger, conditions, actions }) => ({
        ...{ name, enabled, trigger, actions },
        ...(description !== undefined ? { description } : {}),
        ...(conditions !== undefined ? { conditions } : {}),
        secret: generateWebhookSecret(),
      }),
    );
    return { ...viewOf(next), secret: next.secret };
  }

  /** Deletes the definition; runs already started finish, their records expire on their own. */
  async remove(id: string, ifMatch?: number): Promise<void> {
    await writeWithRetry({
      entity: 'workflow',
      id,
      ifMatch,
      load: () => this.repository.require(id),
      write: async (current) => {
        await this.repository.delete(current);
        return current;
      },
    });
  }

  async runsOf(id: string, page: PageRequest): Promise<Page<WorkflowRunView>> {
    await this.repository.require(id);
    const found = await this.runs.list(id, page);
    return { results: found.results.map(runViewOf), nextCursor: found.nextCursor };
  }

  async deliveriesOf(id: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
    await this.repository.require(id);
    return this.deliveries.list({ workflowId: id }, page);
  }

  private replace(
    id: string,
    ifMatch: number | undefined,
    actor: string,
    change: (current: Workflow) => Promise<WorkflowFields & Pick<Workflow, 'secret'>>,
  ): Promise<Workflow> {
    return writeWithRetry({
      entity: 'workflow',
      id,
      ifMatch,
      load: () => this.repository.require(id),
      write: async (current) => {
        const next: Workflow = { ...(await change(current)), ...nextVersion(current, this.clock, actor) };
        await this.repository.put(next, current.version);
        return next;
      },
    });
  }

  /** Fields, values, placeholders and conditions against the current definitions; segments exist; webhook targets are allowed. */
  private async checked(fields: WorkflowFields): Promise<WorkflowFields> {
    const rules = await this.contacts.rules();
    const errors: FieldError[] = workflowFieldErrors(fields, rules, await this.search.filterContext());
    if (fields.trigger.type === 'segment_entered' && !(await this.segments.get(fields.trigger.segmentId))) {
      errors.push({ path: 'trigger.segmentId', message: 'is not a segment (see GET /v1/segments)' });
    }
    fields.actions.forEach((action, index) => {
      const problem = action.type === 'webhook' ? this.webhooks.targetProblem(action.url) : undefined;
      if (problem) errors.push({ path: `actions[${index}].url`, message: problem });
    });
    if (errors.length > 0) throw new ValidationError(errors);
    return fields;
  }
}

/** Something an evaluation skipped or could not do, for the function's log (ids only, no personal data). */
export interface EngineNote {
  message: string;
  facts: Record<string, unknown>;
}

/** What one change did. */
export interface ChangeReport {
  /** Runs started, or resumed, and finished. */
  ran: number;
  /** Runs that this change would have started but that existed already (a redelivery). */
  seenBefore: number;
  /** Workflows that did not react because the change was their own, or the chain behind it too long. */
  refused: number;
  /** Triggers whose values did not travel in the event (over the size caps). */
  undecidable: number;
  notes: EngineNote[];
}

export interface EvaluationReport {
  workflows: number;
  candidates: number;
  ran: number;
  resumed: number;
  /** Runs that threw: their records wait for the next sweep. */
  failed: number;
  /** Workflows whose evaluation the time budget cut short: the next evaluation carries on. */
  unfinished: number;
  notes: EngineNote[];
}

type RunOutcome = 'ran' | 'seen_before' | 'held';

/**
 * Runs workflows: on contact changes (the `workflow-engine` consumer) and on time (its schedule).
 *
 * Exactly once per (workflow, contact, cause): a run record is written under a key derived from
 * the cause (the event, the segment entry, the period of a time trigger) with a conditional put
 * BEFORE any action, so a second start of the same run finds the first. The record holds a lease
 * while its actions execute, and sits in a due index until it finishes: an action that throws
 * releases the lease for the redelivered event to resume it, and a process that died is resumed
 * by the scheduled sweep once its lease ran out. Every action is idempotent (WorkflowActions),
 * so a resumed run completes without doing anything twice.
 *
 * No loops: a run writes as `workflow:<id>[:<depth>]`; a workflow ignores changes it wrote
 * itself, and a chain of workflows setting each other off stops at LIMITS.maxWorkflowChainDepth.
 */
export class WorkflowEngine {
  private readonly store: Store;
  private readonly workflows: WorkflowRepository;
  private readonly runs: WorkflowRunRepository;
  private readonly members: SegmentMemberRepository;
  private readonly segments: SegmentRepository;
  private readonly contacts: ContactService;
  private readonly search: ContactSearchService;
  private readonly actions: WorkflowActions;
  private readonly clock: Clock;
  private segmentCache = new Map<string, { at: number; segment: Segment | undefined }>();

  constructor(deps: {
    store: Store;
    workflows: WorkflowRepository;
    runs: WorkflowRunRepository;
    members: SegmentMemberRepository;
    segments: SegmentRepository;
    contacts: ContactService;
    search: ContactSearchService;
    actions: WorkflowActions;
    clock: Clock;
  }) {
    this.store = deps.store;
    this.workflows = deps.workflows;
    this.runs = deps.runs;
    this.members = deps.members;
    this.segments = deps.segments;
    this.contacts = deps.contacts;
    this.search = deps.search;
    this.actions = deps.actions;
    this.clock = deps.clock;
  }

  /**
   * Reacts to one contact event: event triggers, segment entries and time triggers whose period
   * the change may have started. Throws (after doing all it could) when a run failed in a way a
   * redelivery may fix; the redelivery resumes that run and repeats nothing else.
   */
  async onContactChange(event: KithEvent): Promise<ChangeReport> {
    const report: ChangeReport = { ran: 0, seenBefore: 0, refused: 0, undecidable: 0, notes: [] };
    if (event.detail.entity !== 'contact') return report;
    const change = changeOf(event);
    const workflows = (await this.workflows.enabled()).filter((workflow) => mayReact(workflow.trigger, change));
    if (workflows.length === 0) return report;
    const contact = await this.contacts.repository.get(event.detail.id);
    if (!contact) return report;
    const context = await this.search.filterContext();
    const failures: unknown[] = [];
    const record = (outcome: RunOutcome) => {
      if (outcome === 'ran') report.ran++;
      else if (outcome === 'seen_before') report.seenBefore++;
    };

    for (const [segmentId, watching] of bySegment(workflows)) {
      try {
        for (const outcome of await this.followSegment(segmentId, watching, contact, change, context, report.notes)) {
          record(outcome);
        }
      } catch (error) {
        failures.push(error);
      }
    }
    // Archived and merged contacts leave segments, and run nothing.
    for (const workflow of contact.status === 'active' ? workflows : []) {
      const cause = causeOfChange(workflow.trigger, contact, change, context.now);
      if (cause === 'undecidable') {
        report.undecidable++;
        report.notes.push({
          message: 'trigger undecidable: the values it needs did not fit in the event',
          facts: { workflowId: workflow.id, eventId: change.eventId },
        });
      }
      if (cause === undefined || cause === 'undecidable') continue;
      const permit = runDepthFor(workflow.id, change.actor);
      if ('refused' in permit) {
        report.refused++;
        continue;
      }
      if (!this.conditionsHold(workflow, contact, context, report.notes)) continue;
      try {
        record(await this.runOnce(workflow, contact.id, cause, permit.depth));
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures.length === 1 ? failures[0] : new AggregateError(failures, 'workflow runs failed');
    return report;
  }

  /**
   * The scheduled evaluation: resumes runs whose process died, then, for each workflow with a
   * time trigger, selects through the search port the contacts whose period may have begun since
   * its last evaluation, decides each on its current record and starts the runs not recorded yet.
   */
  async evaluateTimeTriggers(options: { budgetMs?: number } = {}): Promise<EvaluationReport> {
    const now = this.clock.now();
    // Wall time, not the Clock's: how long this invocation may go on starting runs.
    const stopAt = performance.now() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
    const report: EvaluationReport = { workflows: 0, candidates: 0, ran: 0, resumed: 0, failed: 0, unfinished: 0, notes: [] };
    report.resumed = await this.resumeStaleRuns(now, report);
    const timed = (await this.workflows.enabled()).flatMap((workflow) =>
      isTimeTrigger(workflow.trigger) ? [{ workflow, trigger: workflow.trigger }] : [],
    );
    const checkpoints = await Promise.all(timed.map(({ workflow }) => this.workflows.checkpoint(workflow.id)));
    // The least recently evaluated first: a backfill that outlasts one invocation cannot starve the others.
    const order = timed
      .map((entry, i) => ({ ...entry, checkpoint: checkpoints[i] }))
      .sort((a, b) => (a.checkpoint?.through ?? '').localeCompare(b.checkpoint?.through ?? ''));
    for (const { workflow, trigger, checkpoint } of order) {
      report.workflows++;
      if (!(await this.evaluate(workflow, trigger, checkpoint, now, stopAt, report))) report.unfinished++;
    }
    return report;
  }

  /** Resumes every run whose lease ran out before `now` (its process died or gave it back). */
  async resumeStaleRuns(
    now: Date = this.clock.now(),
    report: Pick<EvaluationReport, 'failed' | 'notes'> = { failed: 0, notes: [] },
  ): Promise<number> {
    const plan = sweepPlan(await this.runs.due.checkpoint(), now, {
      rescanMinutes: LIMITS.dueRescanMinutes,
      maxMinutesPerRun: LIMITS.maxDueMinutesPerRun,
    });
    let resumed = 0;
    for (const minute of plan.minutes) {
      await this.runs.due.forEachDue(minute, now.toISOString(), ['pk', 'sk'], async (item) => {
        const run = await this.runs.getByKey({ pk: item.pk as string, sk: item.sk as string });
        if (!run) return;
        try {
          if ((await this.resume(run, now)) === 'ran') resumed++;
        } catch (error) {
          report.failed++;
          report.notes.push({
            message: 'a resumed run failed; the next sweep tries again',
            facts: { runId: run.id, error: String(error) },
          });
        }
      });
    }
    await this.runs.due.advance(plan.checkpoint, now.toISOString());
    return resumed;
  }

  /**
   * One workflow's scheduled evaluation. Returns false when the budget ran out first: the
   * checkpoint stays, so the next evaluation selects the same contacts and starts only the runs
   * not recorded yet.
   */
  private async evaluate(
    workflow: Workflow,
    trigger: TimeTrigger,
    checkpoint: { through: string; trigger: string } | undefined,
    now: Date,
    stopAt: number,
    report: EvaluationReport,
  ): Promise<boolean> {
    // A checkpoint counts only for the trigger it was made with: a changed trigger is evaluated afresh.
    const signature = JSON.stringify(trigger);
    const through = checkpoint?.trigger === signature ? new Date(checkpoint.through) : undefined;
    if (through && evaluatedDaily(trigger) && startOfUtcDay(through) === startOfUtcDay(now)) return true;
    const since = through ? new Date(through.getTime() - LIMITS.workflowEvaluationOverlapMinutes * 60_000) : undefined;
    const context = await this.search.filterContext();
    const conditions = this.compiledConditions(workflow, context, report.notes);
    if (!conditions) return true;
    const candidates = candidateFilter(trigger, now, since);
    const selection: Filter = workflow.conditions ? { and: [candidates, workflow.conditions] } : candidates;
    let cut = false;
    for await (const page of this.search.allMatching(selection, { pageSize: LIMITS.workflowCandidatePageSize })) {
      report.candidates += page.length;
      const due = page.flatMap((contact) => {
        const period = contact.status === 'active' ? periodOf(trigger, contact, now) : undefined;
        return period && matchesFilter(conditions, contact) ? [{ contactId: contact.id, key: period.key, period }] : [];
      });
      const fresh = await this.runs.missing(workflow.id, due);
      await inParallel(fresh, LIMITS.workflowRunConcurrency, async ({ contactId, period }) => {
        if ((cut ||= performance.now() > stopAt)) return;
        try {
          if ((await this.runOnce(workflow, contactId, { kind: 'period', ...period }, 1)) === 'ran') report.ran++;
        } catch (error) {
          report.failed++;
          report.notes.push({
            message: 'a scheduled run failed; the sweep resumes it',
            facts: { workflowId: workflow.id, error: String(error) },
          });
        }
      });
      if (cut) return false;
    }
    await this.workflows.advanceCheckpoint(workflow.id, now.toISOString(), signature);
    return true;
  }

  /**
   * Keeps a contact's membership of a segment current and starts the runs of the workflows
   * watching it when the contact entered. The membership's move and the runs are one
   * transaction: an entry is recorded with all its runs, or not at all.
   */
  private async followSegment(
    segmentId: string,
    watching: Workflow[],
    contact: Contact,
    change: ContactChange,
    context: FilterContext,
    notes: EngineNote[],
  ): Promise<RunOutcome[]> {
    const segment = await this.segmentOf(segmentId);
    const filter = segment && this.compiled(segment.filter, context, { segmentId }, notes);
    if (!filter) return [];
    const inSegment = (candidate: Contact) => candidate.status === 'active' && matchesFilter(filter, candidate);
    const matchesNow = inSegment(contact);
    const before = contactBefore(contact, change);
    const matchedBefore = before === 'unknown' ? 'unknown' : 'new' in before ? false : inSegment(before.image);

    for (let attempt = 1; attempt <= LIMITS.maxOptimisticRetries; attempt++) {
      const recorded = await this.members.get(segmentId, contact.id);
      // A later version of the contact was decided already; this evaluation has nothing to add.
      if (recorded && recorded.contactVersion > contact.version) return [];
      const step = segmentStep(recorded?.state, matchesNow, matchedBefore);
      if (step === 'none') return [];
      const now = this.clock.now();
      const next = {
        state: step === 'leave' ? ('out' as const) : ('in' as const),
        contactVersion: contact.version,
        evaluatedAt: now.toISOString(),
      };
      const runs =
        step === 'enter'
          ? watching.flatMap((workflow) => {
              const permit = runDepthFor(workflow.id, change.actor);
              if ('refused' in permit || !this.conditionsHold(workflow, contact, context, notes)) return [];
              const cause: RunCause = { kind: 'segment', segmentId, contactVersion: contact.version };
              return [{ workflow, run: this.newRun(workflow, contact.id, cause, permit.depth, now) }];
            })
          : [];
      try {
        await transactWrite(this.store, [
          this.members.write(segmentId, contact.id, next, recorded),
          ...runs.map(({ run }) => this.runs.startWrite(run, now)),
          // A membership and its runs name the person: never recorded once they are erased.
          this.runs.contactNotErased(contact.id),
        ]);
      } catch (error) {
        // Someone else decided this contact meanwhile: read what they recorded and decide again.
        if (error instanceof VersionMismatchError) continue;
        if (error instanceof RunExistsError) {
          await transactWrite(this.store, [this.members.write(segmentId, contact.id, next, recorded)]);
          return runs.map(() => 'seen_before');
        }
        throw error;
      }
      const outcomes: RunOutcome[] = [];
      for (const { workflow, run } of runs) outcomes.push(await this.execute(run, workflow));
      return outcomes;
    }
    return [];
  }

  /** Starts the run of `cause`, or resumes it if it was started before and its process let go of it. */
  private async runOnce(workflow: Workflow, contactId: string, cause: RunCause, depth: number): Promise<RunOutcome> {
    const now = this.clock.now();
    const run = this.newRun(workflow, contactId, cause, depth, now);
    if (await this.runs.start(run, now)) return this.execute(run, workflow);
    const existing = await this.runs.get(workflow.id, contactId, run.key);
    return existing ? this.resume(existing, now) : 'seen_before';
  }

  /** Takes over a run that is still running once its lease is over (a versioned write only one process wins). */
  private async resume(run: WorkflowRun, now: Date): Promise<RunOutcome> {
    if (run.status !== 'running') return 'seen_before';
    if (run.leaseUntil && Date.parse(run.leaseUntil) > now.getTime()) return 'held';
    if (run.attempts >= LIMITS.maxWorkflowRunAttempts) return this.giveUp(run, now);
    const claimed: WorkflowRun = {
      ...run,
      attempts: run.attempts + 1,
      leaseUntil: leaseFrom(now),
      version: run.version + 1,
      updatedAt: now.toISOString(),
    };
    try {
      await this.runs.save(claimed, run.version, now);
    } catch (error) {
      if (error instanceof VersionMismatchError) return 'held';
      throw error;
    }
    return this.execute(claimed, await this.workflows.get(run.workflowId));
  }

  /**
   * Performs the run's remaining actions in order and records how each went. An action that throws
   * (the store, the network) stops the run: what was done is recorded, the lease given back, and
   * the error goes up so the event is delivered again and the run resumed.
   */
  private async execute(run: WorkflowRun, workflow: Workflow | undefined): Promise<RunOutcome> {
    const current = { ...run, memo: { ...run.memo }, outcomes: [...run.outcomes] };
    for (let index = current.outcomes.length; index < current.actions.length; index++) {
      try {
        current.outcomes.push(await this.actions.perform(current, index, workflow));
      } catch (error) {
        if (!(error instanceof ValidationError || error instanceof NotFoundError)) {
          await this.release(current, error).catch(() => undefined);
          throw error;
        }
        current.outcomes.push({ action: index, type: current.actions[index]!.type, status: 'failed', message: messageOf(error) });
      }
    }
    await this.finish(current, this.clock.now());
    return 'ran';
  }

  private async finish(run: WorkflowRun, now: Date): Promise<void> {
    const { leaseUntil: _lease, ...rest } = run;
    const finished: WorkflowRun = {
      ...rest,
      status: run.outcomes.some((outcome) => outcome.status === 'failed') ? 'failed' : 'succeeded',
      finishedAt: now.toISOString(),
      version: run.version + 1,
      updatedAt: now.toISOString(),
    };
    await this.runs.save(finished, run.version, now);
  }

  /** A run that kept failing: its remaining actions are failed for good, so sweeps stop taking it up. */
  private async giveUp(run: WorkflowRun, now: Date): Promise<RunOutcome> {
    const message = `gave up after ${run.attempts} attempts${run.lastError ? `: ${run.lastError}` : ''}`;
    const outcomes = [...run.outcomes];
    for (let index = outcomes.length; index < run.actions.length; index++) {
      outcomes.push({ action: index, type: run.actions[index]!.type, status: 'failed', message });
    }
    try {
      await this.finish({ ...run, outcomes }, now);
    } catch (error) {
      if (error instanceof VersionMismatchError) return 'held';
      throw error;
    }
    return 'ran';
  }

  /** Records the actions done so far and gives the lease back, so the next delivery resumes at once. */
  private async release(run: WorkflowRun, error: unknown): Promise<void> {
    const now = this.clock.now();
    const released: WorkflowRun = {
      ...run,
      leaseUntil: now.toISOString(),
      lastError: String(error).slice(0, 500),
      version: run.version + 1,
      updatedAt: now.toISOString(),
    };
    await this.runs.save(released, run.version, now);
  }

  private newRun(workflow: Workflow, contactId: string, cause: RunCause, depth: number, now: Date): WorkflowRun {
    return {
      id: newId(now.getTime()),
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      contactId,
      key: runKey(cause),
      cause,
      trigger: workflow.trigger.type,
      depth,
      status: 'running',
      actions: workflow.actions,
      outcomes: [],
      memo: {},
      startedAt: now.toISOString(),
      leaseUntil: leaseFrom(now),
      attempts: 1,
      version: 1,
      updatedAt: now.toISOString(),
    };
  }

  /** Conditions on the current record, compiled now (relative dates resolve at each evaluation). */
  private conditionsHold(workflow: Workflow, contact: Contact, context: FilterContext, notes: EngineNote[]): boolean {
    const conditions = this.compiledConditions(workflow, context, notes);
    return conditions !== undefined && matchesFilter(conditions, contact);
  }

  private compiledConditions(workflow: Workflow, context: FilterContext, notes: EngineNote[]): CompiledFilter | undefined {
    return workflow.conditions === undefined
      ? MATCH_ALL
      : this.compiled(workflow.conditions, context, { workflowId: workflow.id }, notes);
  }

  /** A saved filter compiled now; undefined (and noted) when it names a field that was deleted since. */
  private compiled(
    filter: Filter,
    context: FilterContext,
    owner: Record<string, string>,
    notes: EngineNote[],
  ): CompiledFilter | undefined {
    try {
      return compileFilter(filter, context, 'conditions');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      notes.push({
        message: 'a saved filter no longer compiles; it matches nothing until fixed',
        facts: { ...owner, errors: error.errors },
      });
      return undefined;
    }
  }

  private async segmentOf(id: string): Promise<Segment | undefined> {
    const cached = this.segmentCache.get(id);
    if (cached && Date.now() - cached.at < LIMITS.workflowCacheMs) return cached.segment;
    const segment = await this.segments.get(id);
    this.segmentCache.set(id, { at: Date.now(), segment });
    return segment;
  }
}

/** The workflows watching each segment. */
function bySegment(workflows: readonly Workflow[]): Map<string, Workflow[]> {
  const watching = new Map<string, Workflow[]>();
  for (const workflow of workflows) {
    if (workflow.trigger.type !== 'segment_entered') continue;
    watching.set(workflow.trigger.segmentId, [...(watching.get(workflow.trigger.segmentId) ?? []), workflow]);
  }
  return watching;
}

/** What the engine reads of a contact event. */
function changeOf(event: KithEvent): ContactChange {
  const { detail } = event;
  return {
    type: event['detail-type'],
    eventId: detail.eventId,
    version: detail.version,
    actor: detail.actor,
    occurredAt: detail.occurredAt,
    changedFields: detail.changedFields,
    ...(detail.data?.changes ? { changes: detail.data.changes } : {}),
    ...(detail.data?.changesOmitted ? { changesOmitted: detail.data.changesOmitted } : {}),
  };
}

function leaseFrom(now: Date): string {
  return new Date(now.getTime() + LIMITS.workflowRunLeaseSeconds * 1000).toISOString();
}

function messageOf(error: DomainError): string {
  if (error instanceof ValidationError && error.errors.length > 0) {
    return error.errors.map((e) => `${e.path} ${e.message}`).join('; ');
  }
  return error.message;
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export const workflowService = (
  parts: Needs<
    | 'workflowRepository'
    | 'workflowRuns'
    | 'webhookDeliveries'
    | 'contacts'
    | 'segmentRepository'
    | 'search'
    | 'webhooks'
    | 'clock'
  >,
) =>
  new WorkflowService({
    repository: parts.workflowRepository,
    runs: parts.workflowRuns,
    deliveries: parts.webhookDeliveries,
    contacts: parts.contacts,
    segments: parts.segmentRepository,
    search: parts.search,
    webhooks: parts.webhooks,
    clock: parts.clock,
  });

export const workflowEngine = (
  parts: Needs<
    | 'store'
    | 'workflowRepository'
    | 'workflowRuns'
    | 'segmentMembers'
    | 'segmentRepository'
    | 'contacts'
    | 'search'
    | 'workflowActions'
    | 'clock'
  >,
) =>
  new WorkflowEngine({
    store: parts.store,
    workflows: parts.workflowRepository,
    runs: parts.workflowRuns,
    members: parts.segmentMembers,
    segments: parts.segmentRepository,
    contacts: parts.contacts,
    search: parts.search,
    actions: parts.workflowActions,
    clock: parts.clock,
  });
