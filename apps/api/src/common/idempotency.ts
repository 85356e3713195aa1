import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Executor } from '../database/database.js';
import { IdempotencyConflictError, IdempotencyInProgressError } from './errors.js';
import { IdempotencyRepository, type IdempotencyIdentity } from './idempotency.repository.js';

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

/** Stored as JSON: a replay returns exactly what a client would have received the first time. */
function asStored<T>(response: T): T {
  return JSON.parse(JSON.stringify(response ?? null)) as T;
}

function identityOf(request: IdempotentRequest): IdempotencyIdentity {
  return { ownerId: request.ownerId, scope: request.scope, key: request.key };
}

/**
 * Applies a request at most once per key, inside the caller's transaction. The key row is
 * inserted first: a concurrent request with the same key waits on the unique index until the
 * first commits, then replays its stored result (or retries, if the first rolled back).
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly repository: IdempotencyRepository) {}

  /**
   * For work that spans several transactions (a chat turn): claims the key up front. Returns the
   * stored response when the work already finished; a second request while the first is still
   * running is a 409 rather than a second run — until the claim's lease runs out.
   */
  async claim(request: IdempotentRequest, leaseSeconds = 600): Promise<{ replay: false } | { replay: true; response: unknown }> {
    const requestHash = hashRequest(request.request);
    const identity = identityOf(request);
    if (await this.repository.insert(identity, requestHash)) return { replay: false };
    const existing = await this.repository.find(identity);
    if (!existing || existing.requestHash !== requestHash) throw new IdempotencyConflictError();
    if (existing.response !== null) return { replay: true, response: existing.response };
    // A claim whose work never finished (its process crashed) lapses after the lease: take it over.
    if (!(await this.repository.takeOverLapsed(identity, leaseSeconds))) throw new IdempotencyInProgressError();
    return { replay: false };
  }

  /** Stores the finished work's response for replays. */
  async complete(request: IdempotentRequest, response: unknown): Promise<void> {
    await this.repository.storeResponse(identityOf(request), asStored(response));
  }

  /** Frees a claimed key whose work failed without effect, so the client may retry with it. */
  async release(request: IdempotentRequest): Promise<void> {
    await this.repository.deleteUnfinished(identityOf(request));
  }

  async run<T>(tx: Executor, request: IdempotentRequest, apply: () => Promise<T>): Promise<T> {
    const requestHash = hashRequest(request.request);
    const identity = identityOf(request);
    if (!(await this.repository.insert(identity, requestHash, tx))) {
      const existing = await this.repository.find(identity, tx);
      if (!existing || existing.requestHash !== requestHash) throw new IdempotencyConflictError();
      return existing.response as T;
    }
    const stored = asStored(await apply());
    await this.repository.storeResponse(identity, stored, tx);
    return stored;
  }
}
