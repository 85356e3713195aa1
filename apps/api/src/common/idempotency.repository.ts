import { Inject, Injectable } from '@nestjs/common';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor } from '../database/database.js';
import { idempotencyKeys } from '../database/schema.js';

/** A key is unique per owner and scope. */
export interface IdempotencyIdentity {
  ownerId: string;
  scope: string;
  key: string;
}

export interface StoredKey {
  requestHash: string;
  /** The finished work's response; null while the work runs. */
  response: unknown;
}

/** `idempotency_keys`. Every method runs on `executor` (a transaction) or on the database. */
@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  /** Inserts the key with no response yet; false when it exists (or a concurrent insert holds it). */
  async insert(identity: IdempotencyIdentity, requestHash: string, executor: Executor = this.db): Promise<boolean> {
    const inserted = await executor
      .insert(idempotencyKeys)
      .values({ ...identity, requestHash, response: null })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    return inserted.length > 0;
  }

  async find(identity: IdempotencyIdentity, executor: Executor = this.db): Promise<StoredKey | null> {
    const [row] = await executor
      .select({ requestHash: idempotencyKeys.requestHash, response: idempotencyKeys.response })
      .from(idempotencyKeys)
      .where(matches(identity));
    return row ?? null;
  }

  /** Renews an unfinished key whose claim is older than `leaseSeconds`; false when there is none. */
  async takeOverLapsed(identity: IdempotencyIdentity, leaseSeconds: number): Promise<boolean> {
    const taken = await this.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now()` })
      .where(and(matches(identity), isNull(idempotencyKeys.response), sql`${idempotencyKeys.createdAt} < now() - make_interval(secs => ${leaseSeconds})`))
      .returning({ key: idempotencyKeys.key });
    return taken.length > 0;
  }

  async storeResponse(identity: IdempotencyIdentity, response: unknown, executor: Executor = this.db): Promise<void> {
    await executor.update(idempotencyKeys).set({ response }).where(matches(identity));
  }

  /** Deletes the key unless its work finished. */
  async deleteUnfinished(identity: IdempotencyIdentity): Promise<void> {
    await this.db.delete(idempotencyKeys).where(and(matches(identity), isNull(idempotencyKeys.response)));
  }
}

function matches(identity: IdempotencyIdentity) {
  return and(eq(idempotencyKeys.ownerId, identity.ownerId), eq(idempotencyKeys.scope, identity.scope), eq(idempotencyKeys.key, identity.key));
}
