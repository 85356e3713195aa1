import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A high-entropy secret, URL-safe: `bytes` random bytes in base64url. */
export function newSecret(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** The SHA-256 of a secret, in hex: what is kept instead of the secret (invitation links, API keys). */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Whether two hashes in hex are the same, compared in constant time. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
