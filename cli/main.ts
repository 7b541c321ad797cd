/**
 * `kith`: the command line of Kith, an HTTP client of its API. Configured by KITH_URL (default
 * http://127.0.0.1:3000) and KITH_API_KEY (locally, .kith/admin-key when unset).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT, KithClient, configFromEnv } from './client.ts';
import { importCommand } from './commands/import.ts';
import { exportCommand } from './commands/export.ts';
import { apiKeyCreate, apiKeyList, apiKeyRevoke, dedupAudit, dlqList, dlqRedrive, reindex } from './commands/admin.ts';
import { seedCommand } from './commands/seed.ts';

const EXIT_CODES = `Exit codes:
  0  done (an import that completed with some rows in error is done: see its report)
  1  the server refused the request, or the job failed or was cancelled
  2  the command line is wrong
  3  Kith is not reachable, or no valid API key is configured`;

const ENVIRONMENT = `Environment:
  KITH_URL      the API (default http://127.0.0.1:3000)
  KITH_API_KEY  an API key (kith_…); for a local Kith, .kith/admin-key is used when unset`;

interface Command {
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(client: () => KithClient, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  import: {
    usage:
      'kith import <file> [--preset google|outlook|hubspot|linkedin|generic] [--mapping <json>] [--on-duplicate skip|update|flag] [--dry-run] [--json] [--errors <file>]',
    summary: 'Import contacts from a CSV or vCard file, with live progress and a report',
    options: {
      preset: { type: 'string' },
      mapping: { type: 'string' },
      'on-duplicate': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      errors: { type: 'string' },
      format: { type: 'string' },
    },
    async run(client, v, [file]) {
      if (!file) throw new CliError('Name the file to import: kith import contacts.csv', EXIT.usage);
      if (v['on-duplicate'] && !['skip', 'update', 'flag'].includes(v['on-duplicate'] as string)) {
        throw new CliError('--on-duplicate must be skip, update or flag.', EXIT.usage);
      }
      return importCommand(client(), file, {
        preset: v.preset as string | undefined,
        mapping: v.mapping as string | undefined,
        onDuplicate: v['on-duplicate'] as string | undefined,
        dryRun: v['dry-run'] as boolean | undefined,
        json: v.json as boolean | undefined,
        errors: v.errors as string | undefined,
        format: v.format as string | undefined,
      });
    },
  },
  export: {
    usage: 'kith export [--format csv|json|vcard|vcard3] [--segment <id>] [--archived] [--out <file>]',
    summary: 'Export contacts (to stdout unless --out)',
    options: { format: { type: 'string' }, segment: { type: 'string' }, out: { type: 'string' }, archived: { type: 'boolean' } },
    run: (client, v) =>
      exportCommand(client(), {
        format: v.format as string | undefined,
        segment: v.segment as string | undefined,
        out: v.out as string | undefined,
        archived: v.archived as boolean | undefined,
      }),
  },
  dedup: {
    usage: 'kith dedup audit',
    summary: 'Run the duplicate audit over every contact',
    options: {},
    async run(client, _v, [sub]) {
      if (sub !== 'audit') throw new CliError('Usage: kith dedup audit', EXIT.usage);
      return dedupAudit(client());
    },
  },
  reindex: {
    usage: 'kith reindex',
    summary: 'Rebuild the search index from the table',
    options: {},
    run: (client) => reindex(client()),
  },
  'api-key': {
    usage: 'kith api-key create --name <name> --role viewer|member|manager|admin | list [--json] | revoke <id>',
    summary: 'Create, list and revoke API keys',
    options: { name: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' } },
    async run(client, v, [sub, id]) {
      if (sub === 'create') {
        if (!v.name || !v.role) throw new CliError('Usage: kith api-key create --name <name> --role <role>', EXIT.usage);
        return apiKeyCreate(client(), v.name as string, v.role as string);
      }
      if (sub === 'list') return apiKeyList(client(), Boolean(v.json));
      if (sub === 'revoke' && id) return apiKeyRevoke(client(), id);
      throw new CliError('Usage: kith api-key create|list|revoke', EXIT.usage);
    },
  },
  seed: {
    usage: 'kith seed [--count N] [--seed N]',
    summary: 'Create realistic demo contacts (some deliberate near-duplicates)',
    options: { count: { type: 'string' }, seed: { type: 'string' } },
    run: (client, v) => seedCommand(client(), Number(v.count ?? 200), Number(v.seed ?? 1)),
  },
  dlq: {
    usage: 'kith dlq list | redrive',
    summary: 'Inspect and redrive events that consumers could not handle',
    options: {},
    async run(client, _v, [sub]) {
      if (sub === 'list') return dlqList(client());
      if (sub === 'redrive') return dlqRedrive(client());
      throw new CliError('Usage: kith dlq list|redrive', EXIT.usage);
    },
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'Usage: kith <command> [options]   (kith <command> --help for its options)',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    ENVIRONMENT,
    '',
    EXIT_CODES,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainHelp()}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`Unknown command "${name}"; run kith --help for the list.`, EXIT.usage);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]} Usage: ${command.usage}`, EXIT.usage);
  }
  if (parsed.values.help) {
    process.stdout.write(`Usage: ${command.usage}\n\n${command.summary}.\n\n${ENVIRONMENT}\n\n${EXIT_CODES}\n`);
    return EXIT.ok;
  }
  return command.run(() => new KithClient(configFromEnv()), parsed.values, parsed.positionals);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`kith: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`kith: unexpected failure: ${(error as Error).message}\n`);
    process.exit(EXIT.failed);
  },
);
