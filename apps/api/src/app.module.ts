import { CacheModule } from '@nestjs/cache-manager';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { AdminModule } from './admin/admin.module.js';
import { AccountModule } from './account/account.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { ApiKeyCache } from './api-keys/api-key-cache.js';
import { SessionUserCache } from './auth/session-user-cache.js';
import { CacheRelay } from './cluster/cache-relay.js';
import { AuthModule } from './auth/auth.module.js';
import { ChatModule } from './chat/chat.module.js';
import { cacheOptions } from './common/cache.js';
import { CLOCK, type Clock } from './common/clock.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { IdempotencyModule } from './common/idempotency.module.js';
import { CLIENT_TRACKER, ClientRateLimitGuard, RATE_COUNTERS, rateCounters, throttlerOptions } from './common/rate-limit.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { DATABASE, READ_DATABASE, type DatabaseHandle } from './database/database.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { PlansModule } from './plans/plans.module.js';
import { QuotaModule } from './quota/quota.module.js';

export interface AppDependencies {
  config: AppConfig;
  database: DatabaseHandle;
  /** The read replica's pool (DATABASE_READ_URL) for the admin statistics and the reports' reads; without it they read `database`. */
  readDatabase?: DatabaseHandle | null;
  clock: Clock;
}

/** What every module may inject: configuration, the database (and its read pool) and the clock. */
@Global()
@Module({})
class CoreModule {
  static register(dependencies: AppDependencies, counters: ThrottlerStorage): DynamicModule {
    const providers = [
      { provide: RATE_COUNTERS, useValue: counters },
      // Read by the keys' guard, forgotten by whatever changes a key (organizations too); the rate limits' client on /v1.
      ApiKeyCache,
      { provide: CLIENT_TRACKER, useExisting: ApiKeyCache },
      // Read by the sessions' guard, forgotten by whatever writes an account's row (the account's deletion too).
      SessionUserCache,
      // Cluster mode: a forget in one worker reaches the others at once.
      CacheRelay,
      { provide: APP_CONFIG, useValue: dependencies.config },
      { provide: DATABASE, useValue: dependencies.database },
      { provide: READ_DATABASE, useValue: dependencies.readDatabase ?? dependencies.database },
      { provide: CLOCK, useValue: dependencies.clock },
    ];
    return { module: CoreModule, providers, exports: providers };
  }
}

@Module({})
export class AppModule {
  static register(dependencies: AppDependencies): DynamicModule {
    const { config } = dependencies;
    // One set of rate-limit counters: the guard's, and those of limits counted by the services.
    const counters = rateCounters(config);
    return {
      module: AppModule,
      imports: [
        CoreModule.register(dependencies, counters),
        MetricsModule,
        IdempotencyModule,
        CacheModule.register({ isGlobal: true, ...cacheOptions(config) }),
        ThrottlerModule.forRoot(throttlerOptions(config, counters)),
        AuthModule,
        QuotaModule.withControllers({ testUsage: !config.isProduction }),
        PaymentsModule,
        PlansModule,
        OrganizationsModule,
        ChatModule,
        NotificationsModule,
        AdminModule,
        AccountModule,
        ReportsModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
