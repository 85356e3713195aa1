import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../database/database.js';
import { idempotencyKeys } from '../database/schema.js';
import { IdempotencyConflictError, IdempotencyInProgressError } from './errors.js';
import { DATABASE, type DatabaseHandle } from '../database/database.js';
import { Inject } from '@nestjs/common';

export interface IdempotentRequest {
  ownerId: string;
  scope: string;
  key: string;
  /** What the key is used for; the same key with another request is a conflict. */
  request: unknown;
}

export function hashRequest(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request ?? null)).digest('hex');
}

/**
 * Applies a request at most once per key, inside the caller's transaction. The key row is
 * inserted first: a concurrent request with the same key waits on the unique index until the
 * first commits, then replays its stored result (or retries, if the first rolled back).
 */
@Injectable()
export class IdempotencyService {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /**
   * For work that spans several transactions (a chat turn): claims the key up front. Returns the
   * stored response when the work already finished; a second request while the first is still
   * running is a 409 rather than a second run — until the claim's lease runs out.
   */
  async claim(request: IdempotentRequest, leaseSeconds = 600): Promise<{ replay: false } | { replay: true; response: unknown }> {
    const requestHash = hashRequest(request.request);
    const identity = { ownerId: request.ownerId, scope: request.scope, key: request.key };
    const claimed = await this.database.db
      .insert(idempotencyKeys)
      .values({ ...identity, requestHash, response: null })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length > 0) return { replay: false };
    const [existing] = await this.database.db.select().from(idempotencyKeys).where(this.matches(identity));
    if (!existing || existing.requestHash !== requestHash) throw new IdempotencyConflictError();
    if (existing.response !== null) return { replay: true, response: existing.response };
    // A claim whose work never finished (its process crashed) lapses after the lease: take it over.
    const taken = await this.database.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now()` })
      .where(and(this.matches(identity), isNull(idempotencyKeys.response), sql`${idempotencyKeys.createdAt} < now() - make_interval(secs => ${leaseSeconds})`))
      .returning({ key: idempotencyKeys.key });
    if (taken.length === 0) throw new IdempotencyInProgressError();
    return { replay: false };
  }

  /** Stores the finished work's response for replays. */
  async complete(request: IdempotentRequest, response: unknown): Promise<void> {
    await this.database.db
      .update(idempotencyKeys)
      .set({ response: JSON.parse(JSON.stringify(response ?? null)) })
      .where(this.matches(request));
  }

  /** Frees a claimed key whose work failed without effect, so the client may retry with it. */
  async release(request: IdempotentRequest): Promise<void> {
    await this.database.db.delete(idempotencyKeys).where(and(this.matches(request), isNull(idempotencyKeys.response)));
  }

  async run<T>(tx: Executor, request: IdempotentRequest, apply: () => Promise<T>): Promise<T> {
    const requestHash = hashRequest(request.request);
    const identity = { ownerId: request.ownerId, scope: request.scope, key: request.key };
    const claimed = await tx
      .insert(idempotencyKeys)
      .values({ ...identity, requestHash, response: null })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) {
      const [existing] = await tx
        .select({ requestHash: idempotencyKeys.requestHash, response: idempotencyKeys.response })
        .from(idempotencyKeys)
        .where(this.matches(identity));
      if (!existing || existing.requestHash !== requestHash) throw new IdempotencyConflictError();
      return existing.response as T;
    }
    const result = await apply();
    // Stored as JSON: a replay returns exactly what a client would have received the first time.
    const stored = JSON.parse(JSON.stringify(result ?? null)) as T;
    await tx.update(idempotencyKeys).set({ response: stored }).where(this.matches(identity));
    return stored;
  }

  private matches(identity: { ownerId: string; scope: string; key: string }) {
    return and(
      eq(idempotencyKeys.ownerId, identity.ownerId),
      eq(idempotencyKeys.scope, identity.scope),
      eq(idempotencyKeys.key, identity.key),
    );
  }
}
