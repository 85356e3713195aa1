import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Executor } from '../database/database.js';
import { TooManyTurnsError } from '../common/errors.js';
import { withinRate, type PlanLimits } from './plan-rules.js';
import { PlansRepository, type PlanRow } from './plans.repository.js';

/** How long a plan read from the table is trusted before it is read again (another instance may have changed it). */
const REFRESH_MS = 30_000;

export function limitsOf(row: PlanRow): PlanLimits {
  return {
    id: row.id,
    monthlyTokens: row.monthlyTokens,
    models: row.models ?? null,
    completionLimit: row.completionLimit,
    turnsPerMinute: row.turnsPerMinute,
    concurrentTurns: row.concurrentTurns,
    priceKrw: row.priceKrw,
  };
}

/**
 * The plans, read from the table: seeded from config at start, cached for a turn's checks (models,
 * limits), and read afresh inside the ledger's transaction where money follows from them (the
 * allowance granted at a reset or an upgrade).
 */
@Injectable()
export class PlanCatalog implements OnModuleInit {
  private readonly logger = new Logger(PlanCatalog.name);
  private cached = new Map<string, PlanRow>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly repository: PlansRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.repository.seed(this.config.plans, this.clock.now());
    await this.reload();
  }

  /** Reads every plan again (after an admin change here; other instances within REFRESH_MS). */
  async reload(): Promise<void> {
    const rows = await this.repository.all();
    this.cached = new Map(rows.map((row) => [row.id, row]));
    this.loadedAt = Date.now();
  }

  /** A plan for a turn's checks: from the cache, refreshed in the background once stale. */
  async limits(id: string): Promise<PlanLimits> {
    if (Date.now() - this.loadedAt > REFRESH_MS && !this.loading) {
      this.loading = this.reload()
        .catch((error: unknown) => this.logger.warn({ message: 'could not refresh plans', error: String(error) }))
        .finally(() => (this.loading = null));
    }
    let row = this.cached.get(id);
    if (!row) {
      await (this.loading ?? this.reload());
      row = this.cached.get(id);
    }
    if (!row) throw new Error(`plan ${id} does not exist`);
    return limitsOf(row);
  }

  /** A plan's name in the reader's language (from the cache). */
  async name(id: string, locale: 'ko' | 'en'): Promise<string> {
    await this.limits(id);
    const row = this.cached.get(id)!;
    return locale === 'ko' ? row.nameKo : row.nameEn;
  }

  /** A plan as the transaction sees it: the allowance a reset or an upgrade grants is never taken from a stale cache. */
  async limitsIn(executor: Executor, id: string): Promise<PlanLimits> {
    const row = await this.repository.find(executor, id);
    if (!row) throw new Error(`plan ${id} does not exist`);
    return limitsOf(row);
  }

  /**
   * The turns a user started in the last minute, counted from the account's holds (so across
   * instances) — in an organization's pool, the member's own: for `assertTurnRate`. Read with the
   * account, before the reservation, not with it: a burst may pass by at most the turns it sends
   * at once, which the plan's cap on turns at once bounds exactly.
   */
  turnsStartedLastMinute(userId: string, organizationId: string | null = null): Promise<number> {
    return this.repository.turnsStartedSince(userId, new Date(this.clock.now().getTime() - 60_000), organizationId);
  }

  /** Refuses a turn past the plan's turns per minute (`started`: turnsStartedLastMinute). */
  assertTurnRate(plan: PlanLimits, started: number): void {
    if (!withinRate(plan, started)) throw new TooManyTurnsError(plan.turnsPerMinute, 60);
  }
}
