import { Inject, Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle } from '../database/database.js';
import { jobRuns } from '../database/schema.js';

export interface TickClaim {
  job: string;
  tick: Date;
  instance: string;
  trigger: 'schedule' | 'manual';
}

/** `job_runs`: one row per job and tick (the primary key), which is what makes a tick run once. */
@Injectable()
export class JobRunsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** Whether this caller won the tick; false when another instance (or call) already holds it. */
  async claim(claim: TickClaim): Promise<boolean> {
    const claimed = await this.database.db.insert(jobRuns).values(claim).onConflictDoNothing().returning({ job: jobRuns.job });
    return claimed.length > 0;
  }

  async finish(job: string, tick: Date, result: Record<string, unknown>): Promise<void> {
    await this.database.db.update(jobRuns).set({ finishedAt: sql`now()`, result }).where(this.tickOf(job, tick));
  }

  /** Frees a failed run's tick, so that the retry of the same tick can claim it. */
  async release(job: string, tick: Date): Promise<void> {
    await this.database.db.delete(jobRuns).where(this.tickOf(job, tick));
  }

  private tickOf(job: string, tick: Date) {
    return and(eq(jobRuns.job, job), eq(jobRuns.tick, tick));
  }
}
