/**
 * EventBridge Scheduler expressions, evaluated in UTC: `rate(5 minutes)`, `cron(0 3 * * ? *)`,
 * `at(2026-01-31T09:00:00)`. The local scheduler runs the topology's schedules with these, and
 * the AWS stack passes the same strings to EventBridge Scheduler.
 *
 * Cron fields: minutes hours day-of-month month day-of-week year, with `*`, `?`, lists, ranges,
 * steps, month and day names, and `L` (last day of the month). One of day-of-month and
 * day-of-week must be `?`. `W`, `#` and `L` in day-of-week are refused: they are rare enough
 * that a local approximation would do more harm than an honest error.
 */

export type ScheduleExpression =
  { kind: 'rate'; everyMs: number } | { kind: 'cron'; cron: CronFields } | { kind: 'at'; at: Date };

export interface CronFields {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  /** `undefined` when the field is `?`. */
  daysOfMonth: ReadonlySet<number> | undefined;
  lastDayOfMonth: boolean;
  months: ReadonlySet<number>;
  /** 1 = Sunday … 7 = Saturday, as EventBridge counts; `undefined` when `?`. */
  daysOfWeek: ReadonlySet<number> | undefined;
  years: ReadonlySet<number>;
}

export class ScheduleExpressionError extends Error {}

const MINUTE_MS = 60_000;
const UNIT_MS: Record<string, number> = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** How far the cron search looks before concluding an expression never fires again. */
const SEARCH_DAYS = 366 * 8;

export function parseScheduleExpression(text: string): ScheduleExpression {
  const trimmed = text.trim();
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(trimmed);
  if (rate) {
    const amount = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '');
    if (amount < 1) throw new ScheduleExpressionError(`${text}: the rate must be at least 1`);
    if ((amount === 1) !== (rate[2] === unit)) {
      throw new ScheduleExpressionError(`${text}: write "${amount} ${amount === 1 ? unit : `${unit}s`}"`);
    }
    return { kind: 'rate', everyMs: amount * UNIT_MS[unit]! };
  }
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(trimmed);
  if (at) {
    const when = new Date(`${at[1]}Z`);
    if (Number.isNaN(when.getTime())) throw new ScheduleExpressionError(`${text}: not a valid date and time`);
    return { kind: 'at', at: when };
  }
  const cron = /^cron\((.*)\)$/.exec(trimmed);
  if (cron) return { kind: 'cron', cron: parseCron(cron[1]!.trim(), text) };
  throw new ScheduleExpressionError(`${text}: expected rate(…), cron(…) or at(…)`);
}

function parseCron(body: string, text: string): CronFields {
  const parts = body.split(/\s+/);
  if (parts.length !== 6) throw new ScheduleExpressionError(`${text}: cron needs 6 fields, found ${parts.length}`);
  const [minutes, hours, dom, months, dow, years] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError(`${text}: exactly one of day-of-month and day-of-week must be "?"`);
  }
  const field = (value: string, min: number, max: number, names?: string[]) => parseField(value, min, max, text, names);
  return {
    minutes: field(minutes, 0, 59),
    hours: field(hours, 0, 23),
    daysOfMonth: dom === '?' || dom === 'L' ? undefined : field(dom, 1, 31),
    lastDayOfMonth: dom === 'L',
    months: field(months, 1, 12, MONTHS),
    daysOfWeek: dow === '?' ? undefined : field(dow, 1, 7, DAYS),
    years: field(years, 1970, 2199),
  };
}

function parseField(value: string, min: number, max: number, text: string, names?: string[]): Set<number> {
  if (/[LW#]/i.test(value.replace(/[a-z]{3}/gi, ''))) {
    throw new ScheduleExpressionError(`${text}: "${value}" uses L, W or #, which the local scheduler does not run`);
  }
  const numberOf = (token: string): number => {
    const index = names?.indexOf(token.toUpperCase()) ?? -1;
    const number = index >= 0 ? index + min : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!(number >= min && number <= max)) throw new ScheduleExpressionError(`${text}: "${token}" is not in ${min}–${max}`);
    return number;
  };
  const values = new Set<number>();
  for (const item of value.split(',')) {
    const [range, stepText] = item.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleExpressionError(`${text}: "${item}" has an invalid step`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [from, to] = [numberOf(a), numberOf(b)];
      if (from > to) throw new ScheduleExpressionError(`${text}: "${range}" runs backwards`);
    } else {
      from = numberOf(range);
      to = stepText === undefined ? from : max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * The first occurrence strictly after `after`. Rate schedules count from `anchor` (when the
 * schedule started); the first run is one period after it.
 */
export function nextOccurrence(expression: ScheduleExpression, after: Date, anchor: Date): Date | undefined {
  switch (expression.kind) {
    case 'at':
      return expression.at > after ? expression.at : undefined;
    case 'rate': {
      const periods = Math.max(0, Math.floor((after.getTime() - anchor.getTime()) / expression.everyMs)) + 1;
      return new Date(anchor.getTime() + periods * expression.everyMs);
    }
    case 'cron':
      return searchCron(expression.cron, after, 'forward');
  }
}

/** The latest occurrence at or before `atOrBefore` and after `anchor`, if any. */
export function latestOccurrence(expression: ScheduleExpression, atOrBefore: Date, anchor: Date): Date | undefined {
  if (atOrBefore <= anchor) return undefined;
  switch (expression.kind) {
    case 'at':
      return expression.at <= atOrBefore && expression.at > anchor ? expression.at : undefined;
    case 'rate': {
      const periods = Math.floor((atOrBefore.getTime() - anchor.getTime()) / expression.everyMs);
      return periods >= 1 ? new Date(anchor.getTime() + periods * expression.everyMs) : undefined;
    }
    case 'cron': {
      const found = searchCron(expression.cron, new Date(atOrBefore.getTime() + 1), 'backward');
      return found && found > anchor ? found : undefined;
    }
  }
}

/** Walks day by day, then through the matching hours and minutes, to the nearest occurrence. */
function searchCron(cron: CronFields, from: Date, direction: 'forward' | 'backward'): Date | undefined {
  const sign = direction === 'forward' ? 1 : -1;
  const hours = [...cron.hours].sort((a, b) => sign * (a - b));
  const minutes = [...cron.minutes].sort((a, b) => sign * (a - b));
  const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  for (let i = 0; i < SEARCH_DAYS; i++, day.setUTCDate(day.getUTCDate() + sign)) {
    if (!dayMatches(cron, day)) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const at = new Date(day.getTime() + (hour * 60 + minute) * MINUTE_MS);
        if (direction === 'forward' ? at > from : at < from) return at;
      }
    }
  }
  return undefined;
}

function dayMatches(cron: CronFields, day: Date): boolean {
  if (!cron.years.has(day.getUTCFullYear()) || !cron.months.has(day.getUTCMonth() + 1)) return false;
  if (cron.daysOfWeek) return cron.daysOfWeek.has(day.getUTCDay() + 1);
  if (cron.lastDayOfMonth) {
    const next = new Date(day.getTime() + 24 * 60 * MINUTE_MS);
    return next.getUTCMonth() !== day.getUTCMonth();
  }
  return cron.daysOfMonth!.has(day.getUTCDate());
}
