import { Inject, Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor } from '../database/database.js';
import { users } from '../database/schema.js';

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

  async findById(id: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row ?? null;
  }

  /** Inserts a user; null when the email is taken. */
  async insert(executor: Executor, user: { email: string; passwordHash: string; role: Role; locale: 'ko' | 'en' }): Promise<UserRow | null> {
    const [row] = await executor.insert(users).values(user).onConflictDoNothing().returning();
    return row ?? null;
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.db.update(users).set({ role }).where(eq(users.id, id));
  }
}
