/**
 * One imported row: from the cells of a file (or a vCard) to a normalized contact through the
 * same `normalizeContact` the API uses, with every problem traced back to the column it came from.
 */
import { LIFECYCLE_STAGES, normalizeContact, type ContactFields, type ContactRules } from './contact.ts';
import type { CustomFieldValue, FieldDefinitionInput } from './custom-fields.ts';
import { ValidationError } from './errors.ts';
import { cleanText, normalizeTags } from './normalize.ts';
import { countryCode, parseLooseBoolean, parseLooseDate, parseLooseNumber } from './loose-values.ts';
import type { MappingPlan } from './import-mapping.ts';

/** One line of the error report: which row, which column, what it held and what is wrong. */
export interface RowProblem {
  row: number;
  column: string;
  value: string;
  message: string;
  severity: 'error' | 'warning';
}

/** Where a contact path's value came from, so a validation error names the column. */
export interface CellSource {
  column: string;
  value: string;
}

/** A row mapped onto the contact body, not yet validated. */
export interface RowCandidate {
  input: Record<string, unknown>;
  sources: Map<string, CellSource>;
  /** Problems found while reading cells (dates, countries, numbers); `error` ones fail the row. */
  problems: Omit<RowProblem, 'row'>[];
}

export type PreparedRow =
  { row: number; ok: true; fields: ContactFields; warnings: RowProblem[] } | { row: number; ok: false; problems: RowProblem[] };

interface ChannelEntry {
  slot: number;
  value?: string;
  label?: string;
  primary?: boolean;
  source?: CellSource;
}

/** Google writes `* Work` for the primary entry's label and joins several values with ` ::: `. */
function readLabel(raw: string): { label?: string; primary: boolean } {
  const primary = raw.trim().startsWith('*');
  const label = cleanText(raw.replace(/^\s*\*\s*/, ''))?.toLowerCase();
  return { label, primary };
}

const GOOGLE_SYSTEM_GROUPS = new Set(['mycontacts', 'other contacts', 'starred']);

function splitTags(raw: string): string[] {
  return raw
    .split(/\s*(?::::|;|,)\s*/)
    .map((tag) => tag.replace(/^\*\s*/, '').trim())
    .filter((tag) => tag !== '' && !GOOGLE_SYSTEM_GROUPS.has(tag.toLowerCase()));
}

/** HubSpot writes `Marketing Qualified Lead` or `marketingqualifiedlead`; both mean our enum value. */
export function lifecycleStageOf(raw: string): string {
  const squashed = raw.toLowerCase().replace(/[^a-z]/g, '');
  return LIFECYCLE_STAGES.find((stage) => stage.replaceAll('_', '') === squashed) ?? raw.trim();
}

/** `Lovelace, Ada` or `Ada King Lovelace` → first and last name. */
export function splitFullName(raw: string): { firstName?: string; lastName?: string } {
  const name = cleanText(raw);
  if (!name || name.includes('@')) return {};
  const comma = /^([^,]+),\s*(.+)$/.exec(name);
  if (comma) return { lastName: comma[1]!.trim(), firstName: comma[2]!.trim() };
  const parts = name.split(' ');
  if (parts.length === 1) return { firstName: name };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts.at(-1) };
}

function customValue(
  def: FieldDefinitionInput | undefined,
  raw: string,
): { value: CustomFieldValue } | { error: string } | { skip: true } {
  if (!def) return { value: raw };
  switch (def.type) {
    case 'number': {
      const n = parseLooseNumber(raw);
      return n === undefined ? { error: 'is not a number' } : { value: n };
    }
    case 'boolean': {
      const b = parseLooseBoolean(raw);
      return b === undefined ? { error: 'is not yes/no or true/false' } : { value: b };
    }
    case 'date': {
      const d = parseLooseDate(raw);
      if ('date' in d) return { value: d.date };
      if ('empty' in d) return { skip: true };
      return { error: 'is not a date Kith can read (write it as YYYY-MM-DD)' };
    }
    case 'multi_enum':
      return { value: raw.split(/\s*[;,]\s*/).filter(Boolean) };
    default:
      return { value: raw };
  }
}

/**
 * Maps the cells of one row onto a contact body following the plan. Scalars take the first
 * non-empty column that names them; emails and phones collect every column in slot order.
 */
export function candidateFromCells(
  cells: readonly string[],
  plan: MappingPlan,
  definitions: ReadonlyMap<string, FieldDefinitionInput>,
): RowCandidate {
  const input: Record<string, unknown> = {};
  const sources = new Map<string, CellSource>();
  const problems: RowCandidate['problems'] = [];
  const channels = { emails: new Map<string, ChannelEntry>(), phones: new Map<string, ChannelEntry>() };
  const tags: string[] = [];
  let tagSource: CellSource | undefined;
  let autoSlot = 1000;

  const setOnce = (path: string, value: unknown, source: CellSource) => {
    const [head, sub] = path.split('.') as [string, string | undefined];
    if (sub === undefined) {
      if (input[head] !== undefined) return;
      input[head] = value;
    } else {
      const group = (input[head] ??= {}) as Record<string, unknown>;
      if (group[sub] !== undefined) return;
      group[sub] = value;
    }
    sources.set(path, source);
  };

  for (const column of plan.columns) {
    const raw = cells[column.index] ?? '';
    // A leading apostrophe before a formula character is how CSV exports (ours too) defuse formulas.
    const value = raw.trim().replace(/^'(?=[=+\-@])/, '');
    if (value === '') continue;
    const source: CellSource = { column: column.header, value: raw };
    const target = column.target;

    const channel = /^(emails|phones)\[(\d+)\]\.(address|number|label)$/.exec(target);
    const simple = /^(email|phone)(?::(.+))?$/.exec(target);
    if (channel || simple) {
      const kind = (channel ? channel[1] : `${simple![1]}s`) as 'emails' | 'phones';
      const entries = channels[kind];
      const slotKey = channel ? `s${channel[2]}` : `a${autoSlot++}`;
      const entry = entries.get(slotKey) ?? { slot: channel ? Number(channel[2]) : autoSlot };
      entries.set(slotKey, entry);
      if (channel && channel[3] === 'label') {
        const { label, primary } = readLabel(value);
        entry.label = label;
        entry.primary = primary;
      } else {
        entry.value = value;
        entry.source = source;
        if (simple?.[2]) entry.label = simple[2];
      }
      continue;
    }
    if (target === 'fullName') {
      const { firstName, lastName } = splitFullName(value);
      if (firstName) setOnce('firstName', firstName, source);
      if (lastName) setOnce('lastName', lastName, source);
      continue;
    }
    if (target === 'tags') {
      tags.push(...splitTags(value));
      tagSource ??= source;
      continue;
    }
    if (target === 'birthday') {
      const date = parseLooseDate(value);
      if ('date' in date) setOnce('birthday', date.date, source);
      else if ('yearless' in date)
        problems.push({ ...source, message: 'has no year; the birthday was left out', severity: 'warning' });
      else if ('invalid' in date)
        problems.push({ ...source, message: 'is not a date Kith can read (write it as YYYY-MM-DD)', severity: 'error' });
      continue;
    }
    if (target === 'lifecycleStage') {
      setOnce('lifecycleStage', lifecycleStageOf(value), source);
      continue;
    }
    if (target === 'address.country') {
      const code = countryCode(value);
      if (code) setOnce('address.country', code, source);
      else
        problems.push({ ...source, message: 'is not a country Kith knows (use a name or a code such as GB)', severity: 'error' });
      continue;
    }
    if (target.startsWith('customFields.')) {
      const key = target.slice('customFields.'.length);
      const result = customValue(definitions.get(key), value);
      if ('error' in result) problems.push({ ...source, message: result.error, severity: 'error' });
      else if ('value' in result) setOnce(target, result.value, source);
      continue;
    }
    if (target.startsWith('socialProfiles.')) {
      setOnce(target, /^https?:\/\//i.test(value) ? value : `https://${value}`, source);
      continue;
    }
    setOnce(target, value, source);
  }

  for (const kind of ['emails', 'phones'] as const) {
    const entries = [...channels[kind].values()].filter((e) => e.value).sort((a, b) => a.slot - b.slot);
    const list: Record<string, unknown>[] = [];
    for (const entry of entries) {
      // One Google cell may hold several values: `a@x.org ::: b@y.org`.
      for (const [i, part] of entry.value!.split(/\s*:::\s*/).entries()) {
        if (part === '') continue;
        sources.set(`${kind}[${list.length}]`, entry.source!);
        list.push({
          [kind === 'emails' ? 'address' : 'number']: part,
          ...(entry.label ? { label: entry.label } : {}),
          ...(entry.primary && i === 0 && !list.some((e) => e.primary) ? { primary: true } : {}),
        });
      }
    }
    if (list.length > 0) input[kind] = list;
  }
  if (tags.length > 0) {
    input.tags = tags;
    sources.set('tags', tagSource!);
  }
  return { input, sources, problems };
}

function sourceFor(path: string, sources: ReadonlyMap<string, CellSource>): CellSource | undefined {
  for (let p = path; p !== ''; p = p.replace(/(\.[^.[\]]*|\[\d+\])$/, '')) {
    const source = sources.get(p);
    if (source) return source;
    if (!/(\.[^.[\]]*|\[\d+\])$/.test(p)) break;
  }
  return undefined;
}

/**
 * Validates and normalizes a candidate with the API's own rules. A row either becomes a
 * contact whole or fails with every problem it has, each naming its column.
 */
export function prepareRow(row: number, candidate: RowCandidate, rules: ContactRules): PreparedRow {
  const errors = candidate.problems.filter((p) => p.severity === 'error').map((p) => ({ row, ...p }));
  const warnings = candidate.problems.filter((p) => p.severity === 'warning').map((p) => ({ row, ...p }));
  try {
    const fields = normalizeContact(candidate.input, rules);
    if (errors.length > 0) return { row, ok: false, problems: [...errors, ...warnings] };
    return { row, ok: true, fields, warnings };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const fieldError of error.errors) {
      const source = sourceFor(fieldError.path, candidate.sources);
      const message = fieldError.path === '(body)' || source ? fieldError.message : `${fieldError.path} ${fieldError.message}`;
      errors.push({ row, column: source?.column ?? '', value: source?.value ?? '', message, severity: 'error' });
    }
    return { row, ok: false, problems: [...errors, ...warnings] };
  }
}

/**
 * The values that identify a person for duplicate detection inside a file and against the
 * table: every email, every phone, every external id, normalized.
 */
export function identityKeysOf(fields: Pick<ContactFields, 'emails' | 'phones' | 'externalIds'>): string[] {
  return [
    ...fields.emails.map((e) => `email:${e.address}`),
    ...Object.entries(fields.externalIds ?? {}).map(([system, id]) => `ext:${system}:${id}`),
    ...fields.phones.map((p) => `phone:${p.number}`),
  ];
}

/**
 * What an import with `onDuplicate: update` makes of an existing contact: cells that hold a
 * value overwrite, lists (emails, phones, tags) are united, nothing is erased by an empty cell.
 */
export function mergeImported(existing: ContactFields, incoming: ContactFields): Record<string, unknown> {
  const unite = <T>(a: T[], b: T[], key: (x: T) => string) => {
    const seen = new Set(a.map(key));
    return [...a, ...b.filter((x) => !seen.has(key(x)))];
  };
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (key === 'emails' || key === 'phones' || key === 'tags' || key === 'customFields') continue;
    if (key === 'address' || key === 'socialProfiles' || key === 'externalIds' || key === 'consent') {
      merged[key] = { ...(existing[key] as object | undefined), ...(value as object) };
    } else merged[key] = value;
  }
  merged.emails = unite(
    existing.emails,
    incoming.emails.map(({ primary: _p, ...e }) => e),
    (e) => e.address,
  );
  merged.phones = unite(
    existing.phones,
    incoming.phones.map(({ primary: _p, ...p }) => p),
    (p) => p.number,
  );
  merged.tags = normalizeTags([...existing.tags, ...incoming.tags]);
  merged.customFields = { ...existing.customFields, ...incoming.customFields };
  return merged;
}
