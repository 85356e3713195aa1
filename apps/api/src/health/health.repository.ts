import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle } from '../database/database.js';

@Injectable()
export class HealthRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** Which database this is: `pglite` or `postgres`. */
  get kind(): string {
    return this.database.kind;
  }

  /** A round trip to the database; throws when it cannot answer. */
  async ping(): Promise<void> {
    await this.database.db.execute(sql`select 1`);
  }
}
