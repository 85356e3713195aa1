import { Inject, Injectable } from '@nestjs/common';
import { evaluateUsage, forecastExhaustion, type AccountBalances, type ExhaustionForecast, type UsageEvaluation } from '@consult-on/quota-policy';
import { CLOCK, type Clock } from '../../common/clock.js';
import { LedgerWriter } from '../ledger/ledger-writer.js';
import { fillDays, seriesStart } from './usage-history.js';
import { UsageRepository } from './usage.repository.js';

export type { LedgerExportRow } from './usage.repository.js';

/** Days of usage behind the exhaustion forecast. */
const FORECAST_DAYS = 14;
/** Consumption entries averaged for a user's cost per turn. */
const RECENT_TURNS = 20;

/** What the ledger says about a user's use: the cost of a turn, daily use, the forecast, history pages. */
@Injectable()
export class UsageReadsService {
  constructor(
    private readonly repository: UsageRepository,
    private readonly writer: LedgerWriter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The usage of these balances with the user's own recent cost per turn behind the estimates. */
  async evaluateForUser(userId: string, balances: AccountBalances): Promise<UsageEvaluation> {
    const average = await this.repository.averageConsumption(this.repository.db, userId, RECENT_TURNS);
    return evaluateUsage(balances, this.writer.policy, average);
  }

  /** Tokens consumed per local day over the last `days` days, oldest first, zeros included; with `memberId`, that member's turns in the pool `userId`. */
  async dailyUsage(userId: string, days: number, memberId?: string): Promise<{ day: string; tokens: number }[]> {
    const now = this.clock.now();
    const timeZone = this.writer.policy.timeZone;
    const rows = await this.repository.dailyConsumption(this.repository.db, userId, seriesStart(now, days, timeZone), timeZone, memberId);
    return fillDays(rows, now, days, timeZone);
  }

  /** When the account should reach 100 % and 105 % at its burn rate of the last two weeks. */
  async forecast(userId: string, balances: AccountBalances): Promise<ExhaustionForecast> {
    const now = this.clock.now();
    const daily = await this.dailyUsage(userId, FORECAST_DAYS);
    const usage = evaluateUsage(balances, this.writer.policy);
    return forecastExhaustion({
      consumedTokens: usage.consumedTokens,
      capacityTokens: usage.capacityTokens,
      hardLimitTokens: usage.hardLimitTokens,
      dailyTokens: daily.map((day) => day.tokens),
      now,
      resetAt: this.writer.currentPeriod(now).end,
    });
  }

  /** Admin adjustments of the account, newest first, with actor and reason. */
  async adjustments(userId: string) {
    return this.repository.listAdjustments(this.repository.db, userId, 100);
  }

  async history(userId: string, page: { limit: number; beforeId?: number }, memberId?: string) {
    return this.repository.listEntries(this.repository.db, userId, page, memberId);
  }

  /** How many entries of the account fall in the span, and the ids they lie between: what an export will read. */
  entriesExtent(userId: string, span: { start: Date; end: Date }) {
    return this.repository.entriesExtent(this.repository.db, userId, span);
  }

  /** The account's entries in the span, oldest first, in batches (see UsageRepository.entriesBetween). */
  entriesBetween(userId: string, span: { start: Date; end: Date; firstId: number; lastId: number }) {
    return this.repository.entriesBetween(this.repository.db, userId, span);
  }

  /** The time zone of the quota's days and periods. */
  get timeZone(): string {
    return this.writer.policy.timeZone;
  }
}
