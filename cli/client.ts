import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A failure the CLI explains in one sentence and ends with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const EXIT = {
  ok: 0,
  /** The server refused the request, or the job failed. */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** Kith is not reachable, or no API key is configured. */
  unreachable: 3,
} as const;

export interface ApiConfig {
  url: string;
  apiKey: string;
}

const DEFAULT_URL = 'http://127.0.0.1:3000';

/** KITH_URL and KITH_API_KEY; a local Kith's admin key comes from .kith/admin-key when no key is set. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const url = (env.KITH_URL ?? DEFAULT_URL).replace(/\/+$/, '').replace(/\/v1$/, '');
  let apiKey = env.KITH_API_KEY;
  const local = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(url);
  if (!apiKey && local) {
    const file = join(env.KITH_HOME ?? '.kith', 'admin-key');
    if (existsSync(file)) apiKey = readFileSync(file, 'utf8').trim();
  }
  if (!apiKey) {
    throw new CliError(
      local
        ? 'No API key: set KITH_API_KEY, or run this in the folder where `npm start` keeps .kith/admin-key.'
        : 'No API key: set KITH_API_KEY to a key of this Kith (kith_…).',
      EXIT.unreachable,
    );
  }
  return { url, apiKey };
}

interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** The API over HTTP: JSON in, JSON out, problem+json turned into one clear sentence. */
export class KithClient {
  readonly config: ApiConfig;
  constructor(config: ApiConfig) {
    this.config = config;
  }

  /** A text resource (an error report), following the API's redirect to the file. */
  async download(path: string): Promise<string> {
    const response = await fetch(`${this.config.url}${path}`, { headers: { authorization: `Bearer ${this.config.apiKey}` } });
    if (!response.ok) throw new CliError(describeProblem('GET', path, response.status, await response.text()));
    return response.text();
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { redirect?: 'follow' | 'manual' } = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.config.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.config.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: options.redirect ?? 'follow',
      });
    } catch (error) {
      throw new CliError(
        `Cannot reach Kith at ${this.config.url} (${(error as Error).cause ?? (error as Error).message}); is it running?`,
        EXIT.unreachable,
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new CliError(
        describeProblem(method, path, response.status, text),
        response.status === 401 ? EXIT.unreachable : EXIT.failed,
      );
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

/** One sentence for a failed request: the problem's detail, or that the server lacks the route. */
export function describeProblem(method: string, path: string, status: number, text: string): string {
  let problem: Problem = {};
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    // not problem+json
  }
  if (status === 404 && /^No route /.test(problem.detail ?? '')) {
    return `This Kith has no ${method} ${path} yet (404): the capability behind it is not installed on this server.`;
  }
  const fields = (problem.errors ?? []).map((e) => `${e.path} ${e.message}`).join('; ');
  const detail = problem.detail ?? problem.title ?? text.slice(0, 200) ?? `HTTP ${status}`;
  return fields && !detail.includes(fields) ? `${detail} (${fields})` : detail;
}

/** Uploads a file to a link the API handed out (S3 presigned, or the local blob server). */
export async function uploadTo(
  link: { url: string; method: string; headers: Record<string, string> },
  body: Blob,
): Promise<void> {
  const response = await fetch(link.url, { method: link.method, headers: link.headers, body });
  if (!response.ok) throw new CliError(`The upload was refused (${response.status}): ${(await response.text()).trim()}`);
}
