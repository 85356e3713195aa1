import { Injectable } from '@nestjs/common';
import { ReadCache } from '../common/read-cache.js';
import type { UserRow } from './users.repository.js';

/** How long an instance trusts what it read of an account for its sessions: a lock, a new password or a deletion made on another instance holds within this. */
export const SESSION_USER_CACHE_MS = 1_000;
const SESSION_USER_CACHE_SIZE = 10_000;

/**
 * The accounts this instance read to authenticate sessions, by id, for at most a second: a
 * request's session costs no database round trip. Every write of an account's row forgets it
 * here at once (UsersRepository; the account's deletion); another instance reads it again within
 * a second, and at once when a session is newer than the row it kept.
 */
@Injectable()
export class SessionUserCache extends ReadCache<UserRow> {
  constructor() {
    super(SESSION_USER_CACHE_MS, SESSION_USER_CACHE_SIZE);
  }
}
