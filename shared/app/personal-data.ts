import type { Contact } from '../domain/contact.ts';
import { displayName } from '../domain/contact-record.ts';
import type { Clock } from '../domain/clock.ts';
import { ValidationError } from '../domain/errors.ts';
import { matchesFilter } from '../domain/filter.ts';
import { LIMITS } from '../domain/limits.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import type { Needs, Services } from './services.ts';
import { WorkflowRunRepository } from '../store/workflows.ts';

/** A list of the export: what fit, and where the rest continues when something did not. */
export interface ExportedList<T> {
  results: T[];
  /** The API route (with its cursor) that lists the rest; absent when the list is complete. */
  continueAt?: string;
}

/** Everything Kith holds about a person (GDPR art. 15 and 20), as one JSON document. */
export interface PersonalDataExport {
  exportedAt: string;
  contact: Contact;
  /** The records merged into this person: they still hold what those records said. */
  mergedRecords: Contact[];
  consent: Contact['consent'];
  company?: { id: string; name: string; domain?: string };
  activities: ExportedList<unknown>;
  relationships: ExportedList<{ type: string; label?: string; strength: number; other: { id: string; name: string } }>;
  tasks: ExportedList<unknown>;
  history: ExportedList<unknown>;
  duplicateSuggestions: { id: string; otherContactId: string; score: number; status: string }[];
  segments: { id: string; name: string }[];
  /** What workflows did for the person: each run, its trigger, status and action outcomes. */
  workflowRuns: ExportedList<unknown>;
  /** Deliveries of events about the person: to webhook subscriptions, or by workflows' webhook actions. */
  webhookDeliveries: ExportedList<{
    id: string;
    webhookId?: string;
    workflowId?: string;
    eventType: string;
    status: string;
    attempts: number;
    createdAt: string;
  }>;
}

/** The services whose records the portability export reads. */
type PersonalDataSources = Pick<
  Services,
  | 'store'
  | 'contacts'
  | 'companies'
  | 'timeline'
  | 'relationships'
  | 'tasks'
  | 'history'
  | 'webhooks'
  | 'segments'
  | 'duplicates'
  | 'search'
>;

/**
 * The portability export: the record and everything that hangs off it, read live from the
 * table. Lists stop at LIMITS.personalExportItemsPerList items or when the document would pass
 * LIMITS.personalExportMaxBytes; each one cut short names the list route that continues it.
 */
export class PersonalDataService {
  private readonly services: () => PersonalDataSources;
  private readonly clock: Clock;

  constructor(deps: { services: () => PersonalDataSources; clock: Clock }) {
    this.services = deps.services;
    this.clock = deps.clock;
  }

  async export(contactId: string): Promise<PersonalDataExport> {
    const s = this.services();
    const contact = await s.contacts.get(contactId);
    const id = contact.id;
    const budget = { bytes: LIMITS.personalExportMaxBytes - JSON.stringify(contact).length };
    const mergedRecords = (await Promise.all((contact.mergedFrom ?? []).map((loser) => s.contacts.repository.get(loser)))).filter(
      (record): record is Contact => record !== undefined,
    );
    const company = contact.companyId ? await s.companies.repository.get(contact.companyId) : undefined;

    const activities = await collect(budget, (page) => s.timeline.repository.list(id, page), `/v1/contacts/${id}/activities`);
    const relationships = await collect(
      budget,
      async (page) => {
        const ties = await s.relationships.repository.list(id, page);
        const others = new Map((await s.contacts.repository.getMany(ties.results.map((t) => t.otherId))).map((c) => [c.id, c]));
        return {
          nextCursor: ties.nextCursor,
          // The other people appear by name only: their own data is theirs.
          results: ties.results.map((tie) => ({
            type: tie.type,
            ...(tie.label ? { label: tie.label } : {}),
            strength: tie.strength,
            other: {
              id: tie.otherId,
              name: others.get(tie.otherId) ? displayName(others.get(tie.otherId)!) : '(no longer a contact)',
            },
          })),
        };
      },
      `/v1/contacts/${id}/relationships`,
    );
    const tasks = await collect(budget, (page) => s.tasks.list({ contactId: id }, page), `/v1/tasks?contactId=${id}`);
    const history = await collect(budget, (page) => s.history.list('contact', id, page), `/v1/contacts/${id}/history`);
    const runs = new WorkflowRunRepository(s.store);
    const workflowRuns = await collect(budget, async (page) => {
      const found = await runs.ofContact(id, page);
      return {
        nextCursor: found.nextCursor,
        results: found.results.map(({ id: runId, workflowId, trigger, status, startedAt, finishedAt, outcomes }) => ({
          id: runId,
          workflowId,
          trigger,
          status,
          startedAt,
          ...(finishedAt ? { finishedAt } : {}),
          outcomes,
        })),
      };
    });
    const webhookDeliveries = await collect(budget, async (page) => {
      const found = await s.webhooks.deliveries.mentioning(id, page);
      return {
        nextCursor: found.nextCursor,
        results: found.results.map(({ id: deliveryId, webhookId, workflowId, eventType, status, attempts, createdAt }) => ({
          id: deliveryId,
          ...(webhookId ? { webhookId } : {}),
          ...(workflowId ? { workflowId } : {}),
          eventType,
          status,
          attempts,
          createdAt,
        })),
      };
    });

    return {
      exportedAt: this.clock.now().toISOString(),
      contact,
      mergedRecords,
      consent: contact.consent ?? {},
      ...(company
        ? { company: { id: company.id, name: company.name, ...(company.domain ? { domain: company.domain } : {}) } }
        : {}),
      activities,
      relationships,
      tasks,
      history,
      duplicateSuggestions: await this.suggestions(id),
      segments: await this.segmentsOf(contact),
      workflowRuns,
      webhookDeliveries,
    };
  }

  private async suggestions(id: string): Promise<PersonalDataExport['duplicateSuggestions']> {
    const s = this.services();
    const found: PersonalDataExport['duplicateSuggestions'] = [];
    for (const partner of await s.duplicates.partnersOf(id)) {
      const pair = await s.duplicates.pair(id, partner);
      if (pair) found.push({ id: pair.id, otherContactId: partner, score: pair.score, status: pair.status });
    }
    return found;
  }

  /** The saved segments whose filter selects the person now (as the search would). */
  private async segmentsOf(contact: Contact): Promise<{ id: string; name: string }[]> {
    if (contact.status !== 'active') return [];
    const s = this.services();
    const found: { id: string; name: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.segments.list({ limit: LIMITS.maxPageSize, cursor });
      for (const segment of page.results) {
        try {
          if (matchesFilter(await s.search.compile(segment.filter), contact)) found.push({ id: segment.id, name: segment.name });
        } catch (error) {
          // A saved filter a field definition change broke selects nobody until it is fixed.
          if (!(error instanceof ValidationError)) throw error;
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return found;
  }
}

/** Pages of a list until it ends or a limit is reached; the cursor of the first page left out. */
async function collect<T>(
  budget: { bytes: number },
  fetch: (page: PageRequest) => Promise<Page<T>>,
  route?: string,
): Promise<ExportedList<T>> {
  const results: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetch({ limit: LIMITS.maxPageSize, ...(cursor ? { cursor } : {}) });
    const size = JSON.stringify(page.results).length;
    if (results.length > 0 && (results.length + page.results.length > LIMITS.personalExportItemsPerList || size > budget.bytes)) {
      return { results, ...(route ? { continueAt: withCursor(route, cursor!) } : {}) };
    }
    results.push(...page.results);
    budget.bytes -= size;
    if (!page.nextCursor) return { results };
    cursor = page.nextCursor;
  }
}

function withCursor(route: string, cursor: string): string {
  return `${route}${route.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
}

export const personalDataService = (parts: Needs<keyof PersonalDataSources | 'clock'>) =>
  new PersonalDataService({ services: () => parts, clock: parts.clock });
