import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './permissions.ts';

export const API_KEY_PREFIX = 'kith_';
const SECRET_PATTERN = /^kith_[A-Za-z0-9_-]{20,128}$/;

/** What Kith stores about a key: never the secret, only its hash and a recognizable prefix. */
export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  /** First characters of the secret, so a person can tell keys apart in a list. */
  hint: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export function generateApiKeySecret(): string {
  return `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function isApiKeySecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

/** Keys are high-entropy random strings, so an unsalted SHA-256 is the right lookup hash. */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function hintOf(secret: string): string {
  return `${secret.slice(0, API_KEY_PREFIX.length + 4)}…`;
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
