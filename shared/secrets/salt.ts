import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NotAvailableError } from '../domain/errors.ts';

/**
 * A per-deployment secret, read once per process. The suppression list is keyed by an HMAC of
 * each erased identity under this secret, so a copy of the table (a backup, an export) cannot be
 * checked against a list of emails without it. It must never change: every hash depends on it.
 */
export type SecretSource = () => Promise<Buffer>;

const SECRET_BYTES = 32;

function once(load: () => Promise<Buffer>): SecretSource {
  let loaded: Promise<Buffer> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

function decode(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  if (!/^[0-9a-f]{64,}$/i.test(trimmed)) throw new Error(`${origin} must hold at least 32 bytes as hex`);
  return Buffer.from(trimmed, 'hex');
}

/** A fresh secret for this process only: tests and `npm start -- --memory`. */
export function ephemeralSecret(): SecretSource {
  const secret = randomBytes(SECRET_BYTES);
  return async () => secret;
}

/** Locally: a file (mode 600) under KITH_HOME, created on first use and kept ever after. */
export function fileSecret(path: string): SecretSource {
  return once(async () => {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${randomBytes(SECRET_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(path, 0o600);
    return decode(readFileSync(path, 'utf8'), path);
  });
}

/** In AWS: a Secrets Manager secret the stack generates (hex), read at the first use in a process. */
export function secretsManagerSecret(secretId: string): SecretSource {
  return once(async () => {
    // Loaded on first use: most invocations of a function never hash an identity.
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({});
    try {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return decode(SecretString ?? '', 'the suppression salt secret');
    } finally {
      client.destroy();
    }
  });
}

/** Where no secret is configured: anything that needs it refuses, rather than hash without salt. */
export function missingSecret(what: string): SecretSource {
  return () => Promise.reject(new NotAvailableError(`This deployment has no ${what} configured.`));
}

/**
 * The suppression salt of a deployment: the stack's secret (`SUPPRESSION_SALT_SECRET_ARN`), or
 * `KITH_SUPPRESSION_SALT` (hex) for scripts, or a file under `KITH_HOME` when one is named.
 */
export function suppressionSaltFromEnv(env: NodeJS.ProcessEnv = process.env): SecretSource {
  if (env.SUPPRESSION_SALT_SECRET_ARN) return secretsManagerSecret(env.SUPPRESSION_SALT_SECRET_ARN);
  if (env.KITH_SUPPRESSION_SALT) {
    const secret = decode(env.KITH_SUPPRESSION_SALT, 'KITH_SUPPRESSION_SALT');
    return async () => secret;
  }
  return missingSecret('suppression salt (SUPPRESSION_SALT_SECRET_ARN or KITH_SUPPRESSION_SALT)');
}
