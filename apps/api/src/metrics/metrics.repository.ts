import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle } from '../database/database.js';

export interface OpenHolds {
  holds: number;
  tokens: number;
}

/** The figures metrics read from the database at scrape time, the same on every instance. */
@Injectable()
export class MetricsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async openHolds(): Promise<OpenHolds> {
    const [row] = rowsOf<{ count: string; tokens: string }>(
      await this.database.db.execute(sql`select count(*) as count, coalesce(sum(tokens), 0) as tokens from token_holds where status = 'OPEN'`),
    );
    return { holds: Number(row?.count ?? 0), tokens: Number(row?.tokens ?? 0) };
  }
}
