import { newSecret } from '../common/secret-token.js';

/** Every key starts so: a scanner (or a person) recognises one in a log or a repository. */
export const API_KEY_START = 'co_live_';
/** Random bytes of the public part (12 characters) and of the secret (43): 320 bits in all. */
const PUBLIC_BYTES = 9;
const SECRET_BYTES = 32;
const KEY_SHAPE = /^co_live_([A-Za-z0-9_-]{12})[A-Za-z0-9_-]{43}$/;

/** A new key and its prefix (`co_live_` and the public part): the prefix is listed and finds the key. */
export function newApiKey(): { key: string; prefix: string } {
  const prefix = API_KEY_START + newSecret(PUBLIC_BYTES);
  return { key: prefix + newSecret(SECRET_BYTES), prefix };
}

/** The prefix of something shaped like a key; null for anything else (never looked up). */
export function prefixOf(candidate: string): string | null {
  const match = KEY_SHAPE.exec(candidate);
  return match ? API_KEY_START + match[1]! : null;
}

/** Why a key found by its prefix may not be used now; null when it may. */
export function keyRefusal(
  key: { revokedAt: Date | null; expiresAt: Date | null; organizationId: string | null; creatorRole: string | null; creatorActive: boolean },
  now: Date,
): 'revoked' | 'expired' | 'creator-left' | 'creator-inactive' | null {
  if (key.revokedAt !== null) return 'revoked';
  // The keys of a suspended (or deleted) account stop with its sessions, and start again on reactivation.
  if (!key.creatorActive) return 'creator-inactive';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  // An organization's key stops when the person who made it is no longer one of its owners or admins.
  if (key.organizationId !== null && key.creatorRole !== 'OWNER' && key.creatorRole !== 'ADMIN') return 'creator-left';
  return null;
}
