import { Inject, Injectable } from '@nestjs/common';
import { and, count, eq, gt, gte, isNull, ne, sql, TransactionRollbackError } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor } from '../database/database.js';
import { accountTokens, apiKeys, users, type AccountTokenPurpose } from '../database/schema.js';
import { SessionUserCache } from './session-user-cache.js';

export type UserRow = typeof users.$inferSelect;
export type Role = UserRow['role'];
export type AccountTokenRow = typeof accountTokens.$inferSelect;

@Injectable()
export class UsersRepository {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly sessions: SessionUserCache,
  ) {}

  get db() {
    return this.database.db;
  }

  async findByEmail(email: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email));
    return row ?? null;
  }

  /** The account of a mailbox, whatever dots or +tag it was registered with. */
  async findByCanonicalEmail(canonical: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.emailCanonical, canonical));
    return row ?? null;
  }

  async findById(id: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row ?? null;
  }

  /**
   * The account behind a session: as this instance read it less than a second ago
   * (SessionUserCache), unless the session is newer than that read (`sessionVersion` above it).
   * Every write below forgets the account's row here.
   */
  async findForSession(id: string, sessionVersion: number): Promise<UserRow | null> {
    const cached = this.sessions.get(id);
    if (cached && cached.sessionVersion >= sessionVersion) return cached;
    const read = this.sessions.startRead();
    const row = await this.findById(id);
    if (row) this.sessions.set(id, row, read);
    return row;
  }

  /** The row is written: the sessions' copy goes, whatever the write's outcome. */
  private async written<T>(id: string, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.sessions.forget(id);
    }
  }

  /** A new password, ending every session made before it (their tokens carry the old session version). */
  async changePassword(id: string, passwordHash: string): Promise<UserRow | null> {
    const [row] = await this.written(
      id,
      this.db
        .update(users)
        .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, id))
        .returning(),
    );
    return row ?? null;
  }

  /**
   * Keeps a link's token (its hash) for the address it is mailed to, unless the account already
   * got `max` links of the purpose since `since`: counted and written under the account's row lock,
   * so requests at the same moment cannot all slip under the cap. False when it is reached.
   */
  async insertAccountToken(token: { userId: string; purpose: AccountTokenPurpose; tokenHash: string; email: string; expiresAt: Date }, cap: { since: Date; max: number }): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, token.userId)).for('update');
      const [row] = await tx
        .select({ count: count() })
        .from(accountTokens)
        .where(and(eq(accountTokens.userId, token.userId), eq(accountTokens.purpose, token.purpose), gte(accountTokens.createdAt, cap.since)));
      if (Number(row?.count ?? 0) >= cap.max) return false;
      await tx.insert(accountTokens).values(token);
      return true;
    });
  }

  /**
   * A link's token that can still be used — not used, not expired, its account neither deleted
   * nor locked (suspended) nor changed to another address since it was sent — with the account.
   */
  async liveAccountToken(tokenHash: string, purpose: AccountTokenPurpose, now: Date): Promise<{ token: AccountTokenRow; user: UserRow } | null> {
    const [row] = await this.db
      .select({ token: accountTokens, user: users })
      .from(accountTokens)
      .innerJoin(users, and(eq(users.id, accountTokens.userId), eq(users.email, accountTokens.email), isNull(users.deletedAt), isNull(users.suspendedAt)))
      .where(and(eq(accountTokens.tokenHash, tokenHash), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)));
    return row ?? null;
  }

  /**
   * Uses a password-reset token once: the new password is set and every session ends, and the
   * account's other reset links stop working. Null when the token was used (or expired) meanwhile.
   */
  async resetPassword(tokenId: string, passwordHash: string, now: Date): Promise<UserRow | null> {
    const reset = await this.db.transaction(async (tx) => {
      const used = await useAccountToken(tx, tokenId, now);
      if (!used) return null;
      const [user] = await tx
        .update(users)
        .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(and(eq(users.id, used.userId), eq(users.email, used.email), isNull(users.deletedAt)))
        .returning();
      if (!user) {
        tx.rollback();
        return null;
      }
      await tx
        .update(accountTokens)
        .set({ usedAt: now })
        .where(and(eq(accountTokens.userId, user.id), eq(accountTokens.purpose, 'PASSWORD_RESET'), isNull(accountTokens.usedAt), ne(accountTokens.id, used.id)));
      return user;
    }).catch((error: unknown) => {
      if (error instanceof TransactionRollbackError) return null;
      throw error;
    });
    if (reset) this.sessions.forget(reset.id);
    return reset;
  }

  /** Uses a verification token once: the address it was sent to is verified (if the account still has it). */
  async verifyEmail(tokenId: string, now: Date): Promise<UserRow | null> {
    const verified = await this.db.transaction(async (tx) => {
      const used = await useAccountToken(tx, tokenId, now);
      if (!used) return null;
      const [user] = await tx
        .update(users)
        .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` })
        .where(and(eq(users.id, used.userId), eq(users.email, used.email), isNull(users.deletedAt)))
        .returning();
      return user ?? null;
    });
    if (verified) this.sessions.forget(verified.id);
    return verified;
  }

  async setLocale(id: string, locale: 'ko' | 'en'): Promise<UserRow | null> {
    const [row] = await this.written(id, this.db.update(users).set({ locale }).where(eq(users.id, id)).returning());
    return row ?? null;
  }

  /**
   * Suspends (a time) or reactivates (null) an account; null when there is no such account (or it
   * was deleted). A suspension ends every session and reset link for good: reactivated, the owner
   * signs in again.
   */
  async setSuspended(id: string, suspendedAt: Date | null): Promise<UserRow | null> {
    return this.written(
      id,
      this.db.transaction(async (tx) => {
        const [row] = await tx
          .update(users)
          // The session version moves with the lock: a suspension ends the sessions; a reactivation
          // (of a locked account only — reactivating an active one ends nothing) makes the next
          // session newer than any instance's copy of the locked account (SessionUserCache).
          .set({
            suspendedAt,
            sessionVersion: suspendedAt ? sql`${users.sessionVersion} + 1` : sql`case when ${users.suspendedAt} is null then ${users.sessionVersion} else ${users.sessionVersion} + 1 end`,
          })
          .where(and(eq(users.id, id), isNull(users.deletedAt)))
          .returning();
        // The reset links mailed before a suspension never work, not even after the reactivation.
        if (row && suspendedAt) {
          await tx
            .update(accountTokens)
            .set({ usedAt: suspendedAt })
            .where(and(eq(accountTokens.userId, id), eq(accountTokens.purpose, 'PASSWORD_RESET'), isNull(accountTokens.usedAt)));
        }
        return row ?? null;
      }),
    );
  }

  /** Inserts a user; null when the email (or another address of the same mailbox) is taken. */
  async insert(
    executor: Executor,
    user: { email: string; emailCanonical: string; passwordHash: string; role: Role; locale: 'ko' | 'en'; emailVerifiedAt: Date | null },
  ): Promise<UserRow | null> {
    const [row] = await executor.insert(users).values(user).onConflictDoNothing().returning();
    return row ?? null;
  }

  /** Makes an account the administrator: role, address and password together, ending its sessions. */
  async makeAdmin(id: string, email: string, passwordHash: string): Promise<void> {
    await this.written(
      id,
      this.db.transaction(async (tx) => {
        await tx
          .update(users)
          .set({ role: 'ADMIN', email, passwordHash, sessionVersion: sql`${users.sessionVersion} + 1`, suspendedAt: null, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
          .where(eq(users.id, id));
        // The account changes hands: the keys its earlier holder made stop with their sessions.
        await tx.update(apiKeys).set({ revokedAt: new Date() }).where(and(eq(apiKeys.userId, id), isNull(apiKeys.revokedAt)));
      }),
    );
  }

  /** Accounts made before canonical addresses existed, admins first, then the oldest (a page at a time). */
  async withoutCanonicalEmail(limit: number): Promise<Pick<UserRow, 'id' | 'email'>[]> {
    return this.db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(isNull(users.emailCanonical))
      .orderBy(sql`${users.role} = 'ADMIN' desc`, users.createdAt, users.id)
      .limit(limit);
  }

  /** Sets an account's canonical address; false when another account already has it. */
  async setCanonicalEmail(id: string, canonical: string): Promise<boolean> {
    try {
      await this.written(id, this.db.update(users).set({ emailCanonical: canonical }).where(eq(users.id, id)));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

/** Marks a link's token used, once and before it expires; null when it was used (or expired) meanwhile. */
async function useAccountToken(executor: Executor, tokenId: string, now: Date): Promise<AccountTokenRow | null> {
  const [used] = await executor
    .update(accountTokens)
    .set({ usedAt: now })
    .where(and(eq(accountTokens.id, tokenId), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)))
    .returning();
  return used ?? null;
}

/** PostgreSQL's unique_violation, on the error or on the driver error drizzle wraps. */
function isUniqueViolation(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  return code === '23505' || cause?.code === '23505';
}
