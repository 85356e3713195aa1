import { Inject, Injectable } from '@nestjs/common';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor } from '../database/database.js';
import { apiKeys, users } from '../database/schema.js';

export type UserRow = typeof users.$inferSelect;
export type Role = UserRow['role'];

@Injectable()
export class UsersRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

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

  /** A new password, ending every session made before it (their tokens carry the old session version). */
  async changePassword(id: string, passwordHash: string): Promise<UserRow | null> {
    const [row] = await this.db
      .update(users)
      .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, id))
      .returning();
    return row ?? null;
  }

  /** Inserts a user; null when the email (or another address of the same mailbox) is taken. */
  async insert(executor: Executor, user: { email: string; emailCanonical: string; passwordHash: string; role: Role; locale: 'ko' | 'en' }): Promise<UserRow | null> {
    const [row] = await executor.insert(users).values(user).onConflictDoNothing().returning();
    return row ?? null;
  }

  /** Makes an account the administrator: role, address and password together, ending its sessions. */
  async makeAdmin(id: string, email: string, passwordHash: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .update(users)
        .set({ role: 'ADMIN', email, passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, id));
      // The account changes hands: the keys its earlier holder made stop with their sessions.
      await tx.update(apiKeys).set({ revokedAt: new Date() }).where(and(eq(apiKeys.userId, id), isNull(apiKeys.revokedAt)));
    });
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
      await this.db.update(users).set({ emailCanonical: canonical }).where(eq(users.id, id));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

/** PostgreSQL's unique_violation, on the error or on the driver error drizzle wraps. */
function isUniqueViolation(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  return code === '23505' || cause?.code === '23505';
}
