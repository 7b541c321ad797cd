import { readFileSync } from 'node:fs';

/**
 * The feature flags and defaults of cdk.json. `cdk synth` applies them itself; anything else that
 * builds the stack in-process (tests, benchmarks) must too, or it synthesizes another stack.
 */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;
}
