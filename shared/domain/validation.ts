import type * as z from 'zod';
import { ValidationError, type FieldError } from './errors.ts';

/** `['emails', 0, 'address']` → `emails[0].address`, the path style of every 422 we send. */
export function formatPath(path: readonly PropertyKey[], base = ''): string {
  let out = base;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

export function fieldErrorsOf(error: z.ZodError, base = ''): FieldError[] {
  return error.issues
    .map((issue) => {
      // Unknown keys are reported on the object; name each key so the caller sees what to remove.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          path: formatPath([...issue.path, key], base),
          message: 'is not a known field',
        }));
      }
      return [{ path: formatPath(issue.path, base) || '(body)', message: issue.message }];
    })
    .flat();
}

/** Parses `input` or throws a ValidationError that names every offending path. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, base = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(fieldErrorsOf(result.error, base));
  return result.data;
}

/** Collects field errors across several checks and throws once, so a client sees them all. */
export class ErrorCollector {
  readonly errors: FieldError[] = [];
  /** One message per path: the first check that fails a field names it. */
  add(path: string, message: string): void {
    if (!this.errors.some((e) => e.path === path)) this.errors.push({ path, message });
  }
  addAll(errors: FieldError[]): void {
    for (const error of errors) this.add(error.path, error.message);
  }
  throwIfAny(): void {
    if (this.errors.length > 0) throw new ValidationError(this.errors);
  }
}
