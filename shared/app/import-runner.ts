/**
 * The import worker's use case: read the uploaded file, prepare every row through the API's own
 * validation, then write chunk by chunk (many contacts per transaction, bounded concurrency),
 * checkpointing after each chunk. Every write is idempotent, so a worker that dies anywhere
 * resumes from the last checkpoint with no row lost and none written twice:
 *   - a created contact has an id derived from (job, row): writing it again finds it;
 *   - an update carries a marker item (job, row) in its transaction: applying it again finds it.
 */
import { isDeepStrictEqual } from 'node:util';
import { Readable } from 'node:stream';
import { normalizeContact, writableFields, type Contact, type ContactFields, type ContactRules } from '../domain/contact.ts';
import { idFor } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import { csvLine } from '../domain/csv.ts';
import { ConflictError, ValidationError, VersionMismatchError } from '../domain/errors.ts';
import { detectPreset, planMapping, type MappingPlan } from '../domain/import-mapping.ts';
import {
  candidateFromCells,
  identityKeysOf,
  mergeImported,
  prepareRow,
  type PreparedRow,
  type RowProblem,
} from '../domain/import-row.ts';
import { addCounters, EMPTY_IMPORT_COUNTERS, type ImportCounters, type ImportJob } from '../domain/jobs.ts';
import { ITEM_TYPES, keys, type Key } from '../store/keys.ts';
import { getItems, keyId } from '../store/lookups.ts';
import { tryTransactWrite, type GuardedWrite } from '../store/transact.ts';
import { LeaseLostError } from '../store/jobs.ts';
import { ImportFileError, readCsv, readVCardCandidates } from './import-file.ts';
import type { Services } from './services.ts';
import { scrubImport } from './erasure-files.ts';

/** What an import runs on (the import-worker assembles exactly this). */
export type ImportRunnerServices = Pick<
  Services,
  'store' | 'clock' | 'settings' | 'contacts' | 'suppressions' | 'blobs' | 'jobs' | 'erasureLog'
>;

/** The tag a contact gets when `onDuplicate: flag` created it beside a likely duplicate. */
export const POSSIBLE_DUPLICATE_TAG = 'possible-duplicate';

export const ERROR_REPORT_HEADER = ['row', 'column', 'value', 'message', 'severity'];

/** The contact id row `row` of import `job` creates, the same on every attempt. */
export function rowContactId(job: Pick<ImportJob, 'id' | 'createdAt'>, row: number): string {
  return idFor(Date.parse(job.createdAt), `${job.id}:${row}`);
}

/** Raised by a write whose row was applied by an earlier attempt (its marker exists). */
class RowAlreadyApplied extends Error {}

/** Time left in this invocation, in ms (Lambda's `getRemainingTimeInMillis`). */
export type TimeLeft = () => number;

interface Prepared {
  plan?: MappingPlan;
  rows: PreparedRow[];
  /** For each position in `rows`: the position of the first row sharing an identity value (itself if none). */
  leaderOf: Int32Array;
  /** Identity value → position of the first row holding it. */
  firstHolder: Map<string, number>;
}

type RowPlan =
  | { kind: 'fail'; problems: RowProblem[] }
  | { kind: 'skip'; problem: RowProblem; unchanged?: boolean }
  | { kind: 'create'; contact: Contact; flagged: boolean; notes: RowProblem[] }
  | { kind: 'update'; targetId: string; fields: ContactFields; follows?: number };

interface RowResult {
  counters: Partial<ImportCounters>;
  problems: RowProblem[];
}

export class ImportRunner {
  private readonly services: ImportRunnerServices;
  private readonly owner: string;
  /**
   * Read before each chunk's look-ups: while nobody was ever erased, rows need no suppression
   * look-up, and a person erased while this import runs is skipped from the next chunk on.
   */
  private checkSuppressions = true;
  /** Set once most creates of a chunk were turned back (a file imported again): read claims first. */
  private fileMostlyKnown = false;

  constructor(services: ImportRunnerServices, owner: string) {
    this.services = services;
    this.owner = owner;
  }

  private get leaseMs(): number {
    return this.services.settings.jobLeaseMs ?? LIMITS.jobLeaseMs;
  }

  /**
   * Works on the job until it is done or the invocation nears its end. Returns what happened,
   * for the worker's log: `finished`, `continued` (re-triggered itself) or `busy` (someone else has it).
   */
  async run(jobId: string, timeLeft: TimeLeft): Promise<'finished' | 'continued' | 'busy' | 'lost'> {
    const { jobs } = this.services;
    let job = await jobs.acquire<ImportJob>(jobId, 'import', this.owner, this.leaseMs);
    if (!job) return 'busy';
    if (job.invocations > LIMITS.maxJobInvocations) {
      await jobs.release(job, this.owner, {
        final: { status: 'failed', failure: `Gave up after ${LIMITS.maxJobInvocations} attempts; the worker's logs say why.` },
      });
      return 'finished';
    }
    try {
      let prepared: Prepared;
      try {
        prepared = await this.prepare(job);
      } catch (error) {
        if (!(error instanceof ImportFileError)) throw error;
        await jobs.release(job, this.owner, { final: { status: 'failed', failure: error.message } });
        await this.discardWorkFiles(job);
        return 'finished';
      }
      const rules = await this.services.contacts.rules();
      if (job.total === undefined) {
        job = await jobs.checkpoint(job, this.owner, this.leaseMs, {
          total: prepared.rows.length,
          ...(prepared.plan ? { appliedMapping: appliedMapping(prepared.plan) } : {}),
        });
      }
      const groupTargets = new Map<number, string>();
      const chunkAt = (start: number) => {
        const end = Math.min(prepared.rows.length, start + (this.services.settings.importChunkRows ?? LIMITS.importChunkRows));
        return { start, end, owners: this.lookUp(job!, prepared, range(start, end), job!.dryRun || this.fileMostlyKnown) };
      };
      // Each chunk's look-ups run while the chunk before it writes. That is safe: rows of the
      // same file that share a value are grouped beforehand, and a value someone else claims in
      // between makes the write fail and the row be decided again.
      let next = chunkAt(job.checkpoint);
      while (job.checkpoint < prepared.rows.length) {
        if (timeLeft() < LIMITS.jobTimeReserveMs) {
          await next.owners.catch(() => undefined);
          await jobs.release(job, this.owner, { continueLater: true });
          return 'continued';
        }
        const current = next;
        if (current.end < prepared.rows.length) next = chunkAt(current.end);
        const chunk = await this.processChunk(job, prepared, current, rules, groupTargets);
        job = await this.recordChunk(job, current.start, current.end, chunk, prepared);
      }
      const errorReportKey = await this.writeErrorReport(job);
      const scrubbed = await this.scrubErasedPeople({ ...job, ...(errorReportKey ? { errorReportKey } : {}) });
      await jobs.release(job, this.owner, {
        final: { status: 'completed', ...(errorReportKey ? { errorReportKey } : {}), ...scrubbed },
      });
      await this.discardWorkFiles(job);
      return 'finished';
    } catch (error) {
      if (error instanceof LeaseLostError) return 'lost';
      throw error;
    }
  }

  // ------------------------------------------------------------------ pass 1: read and prepare

  private async prepare(job: ImportJob): Promise<Prepared> {
    const rules = await this.services.contacts.rules();
    const stream = await this.openSource(job);
    const rows: PreparedRow[] = [];
    let plan: MappingPlan | undefined;
    const push = (row: PreparedRow) => {
      if (rows.length >= LIMITS.maxImportRows)
        throw new ImportFileError(`The file has more than ${LIMITS.maxImportRows} rows; split it.`);
      rows.push(row);
    };
    if (job.format === 'csv') {
      const csv = await readCsv(stream);
      plan = planMapping(csv.headers, job.preset ?? detectPreset(csv.headers), job.mapping ?? {});
      if (plan.columns.length === 0) {
        throw new ImportFileError(
          `No column of the file maps to a contact field (columns: ${csv.headers.slice(0, 10).join(', ')}); send a mapping.`,
        );
      }
      for await (const record of csv.rows) {
        if ('unreadable' in record) {
          push({ row: record.row, ok: false, problems: [problemOf(record.row, '', '', record.unreadable)] });
          continue;
        }
        if (record.cells.every((cell) => cell.trim() === '')) continue;
        push(prepareRow(record.row, candidateFromCells(record.cells, plan, rules.definitions), rules));
      }
    } else {
      for await (const { row, candidate } of readVCardCandidates(stream)) push(prepareRow(row, candidate, rules));
    }
    return { plan, rows, ...groupDuplicates(rows) };
  }

  private async openSource(job: ImportJob): Promise<Readable> {
    try {
      return await this.services.blobs.read(job.fileKey);
    } catch {
      throw new ImportFileError('The uploaded file is gone; create a new import.');
    }
  }

  // ------------------------------------------------------------------ pass 2: one chunk

  private async processChunk(
    job: ImportJob,
    prepared: Prepared,
    chunk: { start: number; end: number; owners: Promise<Map<string, Record<string, unknown>>> },
    rules: ContactRules,
    groupTargets: Map<number, string>,
  ): Promise<RowResult[]> {
    const positions = range(chunk.start, chunk.end);
    const owners = await chunk.owners;
    const results = new Map<number, RowResult>();
    const plans = new Map<number, RowPlan>();
    for (const position of positions) {
      const plan = await this.planRow(job, prepared, position, owners, groupTargets, plans);
      plans.set(position, plan);
    }
    const creates = positions.filter((p) => plans.get(p)!.kind === 'create');
    const turnedBack = await this.writeCreates(job, prepared, creates, plans, results, groupTargets);
    if (turnedBack.length > creates.length / 2) this.fileMostlyKnown = true;
    if (turnedBack.length > 0) {
      // Another contact holds a claimed value of these rows: read who, and apply the policy.
      const found = await this.lookUp(job, prepared, turnedBack, true);
      for (const position of turnedBack)
        plans.set(position, await this.planRow(job, prepared, position, found, groupTargets, plans));
      const again = turnedBack.filter((p) => plans.get(p)!.kind === 'create');
      for (const position of await this.writeCreates(job, prepared, again, plans, results, groupTargets)) {
        const row = prepared.rows[position]!.row;
        plans.set(position, {
          kind: 'fail',
          problems: [problemOf(row, '', '', 'a value of this row was taken by another contact while importing; import it again')],
        });
      }
    }
    const updates = positions.filter((p) => plans.get(p)!.kind === 'update');
    await this.writeUpdates(job, prepared, updates, plans, results, rules, groupTargets);
    for (const position of positions) {
      if (results.has(position)) continue;
      const plan = plans.get(position)!;
      if (plan.kind === 'fail') results.set(position, { counters: { failed: 1 }, problems: plan.problems });
      if (plan.kind === 'skip')
        results.set(position, {
          counters: { skipped: 1, ...(plan.unchanged ? { unchanged: 1 } : {}) },
          problems: [plan.problem],
        });
    }
    return positions.map((position) => {
      const result = results.get(position)!;
      const row = prepared.rows[position]!;
      const warnings = row.ok ? row.warnings : [];
      return {
        counters: { ...result.counters, processed: 1, warnings: warnings.length > 0 ? 1 : 0 },
        problems: [...result.problems, ...warnings],
      };
    });
  }

  /**
   * Who holds the identity values of some rows, and which are suppressed. A primary email and
   * the external ids are claimed by the create transaction itself, which fails when another
   * contact holds one; so they are read only when `full` (dry runs, rows a write turned back).
   * Other emails have no claim and are always read.
   */
  private async lookUp(
    job: ImportJob,
    prepared: Prepared,
    positions: number[],
    full: boolean,
  ): Promise<Map<string, Record<string, unknown>>> {
    const wanted: Key[] = [];
    this.checkSuppressions = !job.allowSuppressed && (await this.services.suppressions.any());
    for (const position of positions) {
      const row = prepared.rows[position]!;
      if (!row.ok) continue;
      for (const email of row.fields.emails) if (full || !email.primary) wanted.push(keys.emailClaim(email.address));
      if (full)
        for (const [system, id] of Object.entries(row.fields.externalIds ?? {})) wanted.push(keys.externalIdClaim(system, id));
      if (this.checkSuppressions) wanted.push(...(await this.services.suppressions.keysOf(identityKeysOf(row.fields))));
    }
    return wanted.length === 0 ? new Map() : getItems(this.services.store, wanted);
  }

  private async planRow(
    job: ImportJob,
    prepared: Prepared,
    position: number,
    found: Map<string, Record<string, unknown>>,
    groupTargets: Map<number, string>,
    plans: ReadonlyMap<number, RowPlan> = new Map(),
  ): Promise<RowPlan> {
    const row = prepared.rows[position]!;
    if (!row.ok) return { kind: 'fail', problems: row.problems };
    const fields = row.fields;
    const ownId = rowContactId(job, row.row);
    const suppressionKeys = this.checkSuppressions ? await this.services.suppressions.keysOf(identityKeysOf(fields)) : [];
    // The skip names no value: the report must not bring back what the erasure removed.
    if (suppressionKeys.some((key) => found.has(keyId(key)))) {
      return {
        kind: 'skip',
        problem: problemOf(
          row.row,
          '',
          '',
          'belongs to a person who asked to be erased; skipped (allowSuppressed imports it)',
          'skipped',
        ),
      };
    }
    const claimOwners = new Map<string, string>();
    for (const email of fields.emails) {
      const owner = found.get(keyId(keys.emailClaim(email.address)))?.ownerId as string | undefined;
      if (owner) claimOwners.set(`email:${email.address}`, owner);
    }
    for (const [system, id] of Object.entries(fields.externalIds ?? {})) {
      const owner = found.get(keyId(keys.externalIdClaim(system, id)))?.ownerId as string | undefined;
      if (owner) claimOwners.set(`ext:${system}:${id}`, owner);
    }
    const others = new Set([...claimOwners.values()].filter((owner) => owner !== ownId));
    const leader = prepared.leaderOf[position]!;
    const isFollower = leader !== position;
    const leaderRow = prepared.rows[leader]!.row;

    // Written by an earlier attempt of this very import: count it as it was counted then.
    if ([...claimOwners.values()].includes(ownId)) {
      return this.createPlan(job, prepared, position, claimOwners, others.size > 0 || isFollower);
    }
    if (isFollower) {
      if (job.onDuplicate === 'skip') {
        return {
          kind: 'skip',
          problem: problemOf(row.row, '', '', `duplicate of row ${leaderRow} of this file; skipped`, 'skipped'),
        };
      }
      if (job.onDuplicate === 'flag') return this.createPlan(job, prepared, position, claimOwners, true);
      // The group's first row may be in this very chunk, planned but not written yet: follow it.
      const leaderPlan = plans.get(leader);
      if (leaderPlan?.kind === 'create') return { kind: 'update', targetId: leaderPlan.contact.id, fields, follows: leader };
      if (leaderPlan?.kind === 'update') return { kind: 'update', targetId: leaderPlan.targetId, fields, follows: leader };
      const target =
        (others.size === 1 ? [...others][0] : undefined) ?? (await this.groupTarget(job, prepared, leader, groupTargets));
      if (target) return { kind: 'update', targetId: target, fields };
    }
    if (others.size === 0) return this.createPlan(job, prepared, position, claimOwners, false);
    const matches = [...claimOwners.entries()].filter(([, owner]) => owner !== ownId);
    const described = matches.map(
      ([identity, owner]) => `${owner} (${identity.replace(/^ext:/, 'externalIds.').replace(/^email:/, 'email ')})`,
    );
    if (job.onDuplicate === 'skip') {
      return {
        kind: 'skip',
        problem: problemOf(row.row, '', '', `matches existing contact ${described.join(', ')}; skipped`, 'skipped'),
      };
    }
    if (job.onDuplicate === 'flag') return this.createPlan(job, prepared, position, claimOwners, true);
    if (others.size > 1) {
      return {
        kind: 'fail',
        problems: [problemOf(row.row, '', '', `matches more than one contact: ${described.join(', ')}; merge them first`)],
      };
    }
    return { kind: 'update', targetId: [...others][0]!, fields };
  }

  /**
   * A new contact for the row. A flagged one leaves out the values another contact (or an
   * earlier row) holds, since a primary email or an external id belongs to one contact only.
   */
  private createPlan(
    job: ImportJob,
    prepared: Prepared,
    position: number,
    claimOwners: Map<string, string>,
    flagged: boolean,
  ): RowPlan {
    const row = prepared.rows[position] as Extract<PreparedRow, { ok: true }>;
    const ownId = rowContactId(job, row.row);
    let fields = row.fields;
    const notes: RowProblem[] = [];
    if (flagged) {
      const heldElsewhere = (identity: string) => {
        const owner = claimOwners.get(identity);
        return (owner !== undefined && owner !== ownId) || (prepared.firstHolder.get(identity) ?? position) < position;
      };
      const emails = fields.emails.filter((e) => !heldElsewhere(`email:${e.address}`));
      const externalIds = Object.fromEntries(
        Object.entries(fields.externalIds ?? {}).filter(([s, id]) => !heldElsewhere(`ext:${s}:${id}`)),
      );
      const dropped = [
        ...fields.emails.filter((e) => !emails.includes(e)).map((e) => e.address),
        ...Object.entries(fields.externalIds ?? {})
          .filter(([s]) => !(s in externalIds))
          .map(([s, id]) => `${s}:${id}`),
      ];
      if (emails.length > 0 && !emails.some((e) => e.primary)) emails[0] = { ...emails[0]!, primary: true };
      fields = {
        ...fields,
        emails,
        externalIds: Object.keys(externalIds).length > 0 ? externalIds : undefined,
        tags: [...new Set([...fields.tags, POSSIBLE_DUPLICATE_TAG])],
      };
      if (!fields.externalIds) delete fields.externalIds;
      if (!fields.firstName && !fields.lastName && !fields.nickname && fields.emails.length === 0 && fields.phones.length === 0) {
        return {
          kind: 'skip',
          problem: problemOf(row.row, '', '', 'holds only values another contact already has; skipped', 'skipped'),
        };
      }
      const leader = prepared.leaderOf[position]!;
      const why =
        leader !== position ? `duplicate of row ${prepared.rows[leader]!.row} of this file` : 'matches an existing contact';
      notes.push(
        problemOf(
          row.row,
          '',
          dropped.join(' '),
          `${why}: created as ${ownId}, tagged ${POSSIBLE_DUPLICATE_TAG}${dropped.length > 0 ? ', without the values another contact holds' : ''}`,
          'flagged',
        ),
      );
    }
    const contact = this.services.contacts.repository.newContact(fields, actorOf(job), ownId);
    return { kind: 'create', contact, flagged, notes };
  }

  /** The contact an earlier row of the same duplicate group went to (after a resume, found again). */
  private async groupTarget(
    job: ImportJob,
    prepared: Prepared,
    leader: number,
    groupTargets: Map<number, string>,
  ): Promise<string | undefined> {
    const known = groupTargets.get(leader);
    if (known) return known;
    const leaderRow = prepared.rows[leader]!;
    if (!leaderRow.ok) return undefined;
    const own = await this.services.contacts.repository.get(rowContactId(job, leaderRow.row));
    if (own) return own.id;
    const claims: Key[] = [
      ...leaderRow.fields.emails.map((e) => keys.emailClaim(e.address)),
      ...Object.entries(leaderRow.fields.externalIds ?? {}).map(([s, id]) => keys.externalIdClaim(s, id)),
    ];
    const found = await getItems(this.services.store, claims);
    return [...found.values()][0]?.ownerId as string | undefined;
  }

  // ------------------------------------------------------------------ writes

  private async writeCreates(
    job: ImportJob,
    prepared: Prepared,
    positions: number[],
    plans: Map<number, RowPlan>,
    results: Map<number, RowResult>,
    groupTargets: Map<number, string>,
  ): Promise<number[]> {
    const repository = this.services.contacts.repository;
    const done = (position: number, flagged?: boolean) => {
      const plan = plans.get(position) as Extract<RowPlan, { kind: 'create' }>;
      results.set(position, {
        counters: { created: 1, ...((flagged ?? plan.flagged) ? { flagged: 1 } : {}) },
        problems: plan.notes,
      });
      const leader = prepared.leaderOf[position]!;
      if (leader === position) groupTargets.set(position, plan.contact.id);
    };
    if (job.dryRun) {
      positions.forEach((position) => done(position));
      return [];
    }
    // Pack whole contacts into transactions of at most 100 items.
    const batches: { position: number; writes: GuardedWrite[] }[][] = [];
    let current: { position: number; writes: GuardedWrite[] }[] = [];
    let items = 0;
    for (const position of positions) {
      const writes = repository.createWrites((plans.get(position) as Extract<RowPlan, { kind: 'create' }>).contact);
      if (items + writes.length > LIMITS.maxTransactionItems && current.length > 0) {
        batches.push(current);
        current = [];
        items = 0;
      }
      current.push({ position, writes });
      items += writes.length;
    }
    if (current.length > 0) batches.push(current);

    const turnedBack = new Set<number>();
    await inParallel(batches, this.concurrency, async (batch) => {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const writes = pending.flatMap((entry) => entry.writes);
        const outcome = await tryTransactWrite(this.services.store, writes);
        if (outcome.ok) {
          pending.forEach((entry) => done(entry.position));
          return;
        }
        if (outcome.failed.length === 0) {
          if (!outcome.conflict || attempt > 8) throw outcome.error;
          await sleep(20 * 2 ** attempt);
          continue;
        }
        // Set aside the contacts whose conditions failed, and retry the others.
        const failedAt = new Set<number>();
        for (const failure of outcome.failed) {
          let offset = failure.index;
          const entry = pending.find((e) => (offset < e.writes.length ? true : ((offset -= e.writes.length), false)))!;
          failedAt.add(entry.position);
          const plan = plans.get(entry.position) as Extract<RowPlan, { kind: 'create' }>;
          const existing = failure.existing;
          if (existing?.id === plan.contact.id && existing?.entityType === ITEM_TYPES.contact) {
            // Written by an earlier attempt; a flagged one kept the tag it was given then.
            done(entry.position, (existing.tags as string[] | undefined)?.includes(POSSIBLE_DUPLICATE_TAG));
          } else turnedBack.add(entry.position);
        }
        pending = pending.filter((entry) => !failedAt.has(entry.position));
      }
    });
    return [...turnedBack].filter((position) => !results.has(position)).sort((a, b) => a - b);
  }

  private async writeUpdates(
    job: ImportJob,
    prepared: Prepared,
    positions: number[],
    plans: Map<number, RowPlan>,
    results: Map<number, RowResult>,
    rules: ContactRules,
    groupTargets: Map<number, string>,
  ): Promise<void> {
    if (positions.length === 0) return;
    const markers = job.dryRun
      ? new Map()
      : await getItems(
          this.services.store,
          positions.map((p) => keys.importRowMarker(job.id, prepared.rows[p]!.row)),
        );
    // A row that follows its group's first row goes where that row finally went (a create a
    // claim turned back may have become an update of someone else, or nothing).
    for (const position of positions) {
      const plan = plans.get(position) as Extract<RowPlan, { kind: 'update' }>;
      if (plan.follows === undefined) continue;
      const leaderPlan = plans.get(plan.follows);
      const created = results.get(plan.follows)?.counters.created === 1;
      const target =
        leaderPlan?.kind === 'create' && created
          ? leaderPlan.contact.id
          : leaderPlan?.kind === 'update'
            ? leaderPlan.targetId
            : undefined;
      if (target) plan.targetId = target;
      else {
        const row = prepared.rows[position]!.row;
        const leaderRow = prepared.rows[plan.follows]!.row;
        results.set(position, {
          counters: { failed: 1 },
          problems: [problemOf(row, '', '', `duplicate of row ${leaderRow}, which was not imported`)],
        });
      }
    }
    positions = positions.filter((position) => !results.has(position));
    // Rows that go to the same contact run in file order; different contacts run side by side.
    const byTarget = new Map<string, number[]>();
    for (const position of positions) {
      const target = (plans.get(position) as Extract<RowPlan, { kind: 'update' }>).targetId;
      byTarget.set(target, [...(byTarget.get(target) ?? []), position]);
    }
    await inParallel([...byTarget.values()], this.concurrency, async (chain) => {
      for (const position of chain) {
        const plan = plans.get(position) as Extract<RowPlan, { kind: 'update' }>;
        const row = prepared.rows[position]!;
        const leader = prepared.leaderOf[position]!;
        if (!groupTargets.has(leader)) groupTargets.set(leader, plan.targetId);
        if (markers.has(keyId(keys.importRowMarker(job.id, row.row)))) {
          results.set(position, { counters: { updated: 1 }, problems: [] });
          continue;
        }
        results.set(position, await this.updateOne(job, row.row, plan, rules));
      }
    });
  }

  private async updateOne(
    job: ImportJob,
    row: number,
    plan: Extract<RowPlan, { kind: 'update' }>,
    rules: ContactRules,
  ): Promise<RowResult> {
    const repository = this.services.contacts.repository;
    const marker: GuardedWrite = {
      item: {
        Put: {
          TableName: this.services.store.tableName,
          Item: {
            ...keys.importRowMarker(job.id, row),
            entityType: ITEM_TYPES.importRowMarker,
            contactId: plan.targetId,
            expiresAt: Math.floor(this.services.clock.now().getTime() / 1000) + LIMITS.importMarkerTtlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new RowAlreadyApplied(),
    };
    for (let attempt = 1; ; attempt++) {
      const current = await repository.get(plan.targetId);
      // A dry run's earlier row only would have created its target.
      if (!current && job.dryRun) return { counters: { updated: 1 }, problems: [] };
      if (!current || current.status === 'merged') {
        return {
          counters: { failed: 1 },
          problems: [problemOf(row, '', '', `the matching contact ${plan.targetId} no longer exists`)],
        };
      }
      let next: ContactFields;
      try {
        const touched = new Set(Object.keys(plan.fields.customFields));
        next = normalizeContact(mergeImported(writableFields(current) as ContactFields, plan.fields), rules, touched);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return {
          counters: { failed: 1 },
          problems: error.errors.map((e) => problemOf(row, e.path, '', `merged into ${plan.targetId}: ${e.message}`)),
        };
      }
      if (isDeepStrictEqual(next, normalizeContact(writableFields(current), rules, new Set()))) {
        return {
          counters: { skipped: 1, unchanged: 1 },
          problems: [problemOf(row, '', '', `matches contact ${plan.targetId} and changes nothing`, 'skipped')],
        };
      }
      if (job.dryRun) return { counters: { updated: 1 }, problems: [] };
      try {
        await repository.replace(current, next, actorOf(job), {}, [marker]);
        return { counters: { updated: 1 }, problems: [] };
      } catch (error) {
        if (error instanceof RowAlreadyApplied) return { counters: { updated: 1 }, problems: [] };
        if (error instanceof VersionMismatchError && attempt < LIMITS.maxOptimisticRetries) continue;
        if (error instanceof ConflictError) {
          return {
            counters: { failed: 1 },
            problems: [problemOf(row, error.path ?? '', '', `updating ${plan.targetId}: ${error.message}`)],
          };
        }
        throw error;
      }
    }
  }

  private get concurrency(): number {
    return this.services.settings.importConcurrency ?? LIMITS.importWriteConcurrency;
  }

  // ------------------------------------------------------------------ bookkeeping

  private async recordChunk(
    job: ImportJob,
    start: number,
    end: number,
    results: RowResult[],
    prepared: Prepared,
  ): Promise<ImportJob> {
    const problems = results.flatMap((r) => r.problems);
    let errorSegments = job.errorSegments;
    if (problems.length > 0) {
      // Written before the checkpoint moves: a crash in between rewrites the same segment.
      await this.services.blobs.write(segmentKey(job.id, start), problems.map(reportLine).join(''), 'text/csv');
      errorSegments = [...errorSegments.filter((s) => s !== start), start];
    }
    const counters = results.reduce((sum, r) => addCounters(sum, r.counters), job.counters ?? EMPTY_IMPORT_COUNTERS);
    const firstErrors = [...job.firstErrors, ...problems.filter((p) => p.severity === 'error')].slice(0, LIMITS.jobErrorsShown);
    const preview =
      job.dryRun && (job.preview?.length ?? 0) < LIMITS.jobPreviewRows
        ? [
            ...(job.preview ?? []),
            ...prepared.rows
              .slice(start, end)
              .flatMap((r) => (r.ok ? [{ row: r.row, contact: r.fields }] : []))
              .slice(0, LIMITS.jobPreviewRows - (job.preview?.length ?? 0)),
          ]
        : job.preview;
    return this.services.jobs.checkpoint(job, this.owner, this.leaseMs, {
      checkpoint: end,
      counters,
      firstErrors,
      errorSegments,
      ...(preview ? { preview } : {}),
    });
  }

  /**
   * People erased while this import ran: their rows leave the report and the job's first errors
   * and preview before it completes (an erasure leaves running jobs to their worker).
   */
  private async scrubErasedPeople(job: ImportJob): Promise<Partial<Pick<ImportJob, 'firstErrors' | 'preview'>>> {
    let current = job;
    for (const erasure of await this.services.erasureLog.startedSince(job.createdAt)) {
      const { fields } = await scrubImport(current, this.services.blobs, this.services.erasureLog.matcherOf(erasure));
      if (fields) current = { ...current, ...fields };
    }
    return current === job ? {} : { firstErrors: current.firstErrors, ...(current.preview ? { preview: current.preview } : {}) };
  }

  /** The uploaded file and the report's segments hold personal data nobody needs once the job is done. */
  private async discardWorkFiles(job: ImportJob): Promise<void> {
    const { blobs } = this.services;
    await Promise.all([blobs.delete(job.fileKey), ...job.errorSegments.map((start) => blobs.delete(segmentKey(job.id, start)))]);
  }

  /** Joins the segments into one CSV (header first); `undefined` when there is nothing to report. */
  private async writeErrorReport(job: ImportJob): Promise<string | undefined> {
    if (job.errorSegments.length === 0) return undefined;
    const { blobs } = this.services;
    const key = `exports/${job.id}/errors.csv`;
    const segments = [...job.errorSegments].sort((a, b) => a - b);
    async function* report() {
      yield csvLine(ERROR_REPORT_HEADER);
      for (const start of segments) {
        for await (const chunk of await blobs.read(segmentKey(job.id, start))) yield chunk as Buffer;
      }
    }
    await blobs.write(key, Readable.from(report()), 'text/csv');
    return key;
  }
}

function segmentKey(jobId: string, start: number): string {
  return `exports/${jobId}/errors/${String(start).padStart(9, '0')}.csv`;
}

function reportLine(problem: RowProblem | (Omit<RowProblem, 'severity'> & { severity: string })): string {
  return csvLine([String(problem.row), problem.column, problem.value, problem.message, problem.severity]);
}

function problemOf(row: number, column: string, value: string, message: string, severity: string = 'error'): RowProblem {
  return { row, column, value, message, severity: severity as RowProblem['severity'] };
}

function actorOf(job: ImportJob): string {
  return `import:${job.id}`;
}

function appliedMapping(plan: MappingPlan): ImportJob['appliedMapping'] {
  return {
    preset: plan.preset,
    columns: plan.columns.map(({ header, target }) => ({ header, target })),
    unmapped: plan.unmapped,
  };
}

/**
 * Groups rows that share an email or an external id, or a phone when one of the two rows has no
 * email (two people with their own addresses may share an office line), transitively, each group
 * led by its first row: the duplicates inside the file, found before anything is written.
 */
export function groupDuplicates(rows: readonly PreparedRow[]): Pick<Prepared, 'leaderOf' | 'firstHolder'> {
  const parent = new Int32Array(rows.length).map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const hasEmail = (position: number) => {
    const row = rows[position]!;
    return row.ok && row.fields.emails.length > 0;
  };
  const firstHolder = new Map<string, number>();
  rows.forEach((row, position) => {
    if (!row.ok) return;
    for (const identity of identityKeysOf(row.fields)) {
      const holder = firstHolder.get(identity);
      if (holder === undefined) firstHolder.set(identity, position);
      else if (!identity.startsWith('phone:') || !hasEmail(holder) || !hasEmail(position)) {
        const [a, b] = [find(holder), find(position)];
        // The smaller position leads, so a group's leader is always its first row.
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const leaderOf = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) leaderOf[i] = find(i);
  return { leaderOf, firstHolder };
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type { RowResult };
