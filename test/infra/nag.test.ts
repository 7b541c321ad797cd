import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { synthesize, type SynthOptions, type Synthesized } from '../helpers/stack.ts';
import { FULL_TOPOLOGY, fixtureEntry } from './fixtures/topology.ts';

const VARIANTS: [string, SynthOptions][] = [
  ['Kith today, dev', { stage: 'dev' }],
  ['Kith today, prod', { stage: 'prod' }],
  ['every kind of entry, dev', { stage: 'dev', topology: FULL_TOPOLOGY, entryOf: fixtureEntry }],
  ['every kind of entry, prod', { stage: 'prod', topology: FULL_TOPOLOGY, entryOf: fixtureEntry, alarmEmail: 'ops@example.com' }],
];

/** Every acknowledgement made in code: the construct it sits on, the finding id, the reason. */
function acknowledgementsIn(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each(VARIANTS)('cdk-nag AwsSolutions on %s', (_, options) => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesize(options);
  });

  it('has no finding that is not acknowledged in code', () => {
    const findings = synthesized.nag.violations.map(
      (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('acknowledges only findings that exist, each with a reason', () => {
    const { stack } = synthesized;
    // The same pack, blind to acknowledgements, lists every finding there is.
    const blind = new AwsSolutionsChecks(stack);
    Object.assign(blind, { isAcknowledged: () => false });
    const raw = blind
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })));
    const acknowledgements = acknowledgementsIn(stack);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.reason.length, acknowledgement.id).toBeGreaterThan(40);
      const covered = raw.some((f) => f.id === acknowledgement.id && `${f.path}/`.startsWith(`${acknowledgement.path}/`));
      expect(covered, `${acknowledgement.id} on ${acknowledgement.path} names no finding`).toBe(true);
    }
  });
});

describe('the checks themselves', () => {
  it('catch what they should: a queue without encryption at rest or TLS is a finding', () => {
    const { stack } = synthesize();
    new Queue(stack, 'CarelessQueue', { enforceSSL: false });
    const findings = new AwsSolutionsChecks(stack).validateScope(stack).violations.map((v) => v.ruleName);
    expect(findings).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('pass CDK’s own template validation, as `cdk synth` runs it', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'kith-synth-'));
    try {
      synthesize({ topology: FULL_TOPOLOGY, entryOf: fixtureEntry, validateTemplates: true, outdir });
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations: unknown[] }[];
      };
      expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
