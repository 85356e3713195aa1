import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { HoldsService } from './holds.service.js';

/**
 * Expires holds left open by a crashed process and resets accounts nobody touched since the
 * month began. Safe on every instance at once: each expiry and reset runs under the account's
 * row lock and re-checks its state, so a second instance finds nothing left to do.
 */
@Injectable()
export class HoldSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HoldSweeperService.name);
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly holds: HoldsService,
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.jobsEnabled) return;
    this.timer = setInterval(() => void this.sweep(), this.config.holdSweepIntervalSeconds * 1_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<{ expiredHolds: number; resetAccounts: number }> {
    if (this.running) return { expiredHolds: 0, resetAccounts: 0 };
    this.running = true;
    try {
      const expiredHolds = await this.holds.expireHolds();
      const resetAccounts = await this.accounts.resetStaleAccounts();
      if (resetAccounts > 0) this.logger.log({ message: 'monthly reset applied to idle accounts', count: resetAccounts });
      return { expiredHolds, resetAccounts };
    } catch (error) {
      this.logger.error({ message: 'hold sweep failed', error: String(error) });
      return { expiredHolds: 0, resetAccounts: 0 };
    } finally {
      this.running = false;
    }
  }
}
