import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MAX_WORKERS, loadConfig, MAX_WORKERS } from './app-config.js';

describe('loadConfig', () => {
  it('starts on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      database: { url: null, dataDir: './data' },
      redis: { url: null },
      demoAccounts: true,
      payments: { provider: 'instant' },
      quota: { freeMonthlyTokens: 100_000, timeZone: 'Asia/Seoul', consumptionOrder: 'purchased-first', blockBasisPoints: 10_500 },
    });
    expect(config.jwt.isEphemeral).toBe(true);
  });

  it('refuses production without JWT_SECRET and DATABASE_URL, naming both', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET and DATABASE_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x' })).toThrow(/without JWT_SECRET:/);
  });

  it('starts production with both set, Toss Payments by default and no demo accounts', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'x'.repeat(32) };
    const config = loadConfig({ ...production, PUBLIC_URL: 'https://consult-on.example.com', TOSS_CLIENT_KEY: 'live_ck_x', TOSS_SECRET_KEY: 'live_sk_x' });
    expect(config).toMatchObject({ isProduction: true, demoAccounts: false, payments: { provider: 'toss', toss: { clientKey: 'live_ck_x', apiBaseUrl: 'https://api.tosspayments.com' } } });
    expect(() => loadConfig({ ...production, PAYMENT_PROVIDER: 'instant' })).toThrow(ConfigError);
  });

  it("refuses to start when the chosen provider's keys are missing, naming them", () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig(production)).toThrow(/TOSS_CLIENT_KEY and TOSS_SECRET_KEY/);
    expect(() => loadConfig({ ...production, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_live_x' })).toThrow(/needs STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ PAYMENT_PROVIDER: 'toss', TOSS_CLIENT_KEY: 'test_ck_x' })).toThrow(/needs TOSS_SECRET_KEY/);
    const stripeEnv = { ...production, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_CURRENCY: 'usd' };
    expect(() => loadConfig(stripeEnv)).toThrow(/needs PUBLIC_URL/);
    const stripe = loadConfig({ ...stripeEnv, PUBLIC_URL: 'https://consult-on.example.com' });
    expect(stripe.payments).toMatchObject({ provider: 'stripe', stripe: { currency: 'USD', apiBaseUrl: null }, toss: null });
    // Test keys pay with any test card: refused in production, fine elsewhere.
    expect(() => loadConfig({ ...stripeEnv, PUBLIC_URL: 'https://x.example', STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(/STRIPE_SECRET_KEY is a test key/);
    expect(() => loadConfig({ ...production, PUBLIC_URL: 'https://x.example', TOSS_CLIENT_KEY: 'test_ck_x', TOSS_SECRET_KEY: 'test_sk_x' })).toThrow(/TOSS_CLIENT_KEY and TOSS_SECRET_KEY are test keys/);
    expect(loadConfig({ PAYMENT_PROVIDER: 'toss', TOSS_CLIENT_KEY: 'test_ck_x', TOSS_SECRET_KEY: 'test_sk_x' }).payments.provider).toBe('toss');
  });

  it('reads the settings for PgBouncer in transaction mode: unnamed statements, migrations over their own connection', () => {
    expect(loadConfig({}).database).toMatchObject({ preparedStatements: true, migrationUrl: null });
    const pooled = loadConfig({
      DATABASE_URL: 'postgres://app@pgbouncer:6432/consult_on',
      DATABASE_MIGRATION_URL: 'postgres://app@db:5432/consult_on',
      DATABASE_PREPARED_STATEMENTS: 'false',
    });
    expect(pooled.database).toMatchObject({ url: 'postgres://app@pgbouncer:6432/consult_on', migrationUrl: 'postgres://app@db:5432/consult_on', preparedStatements: false });
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'off' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/x', DATABASE_MIGRATION_URL: 'mysql://db/x' })).toThrow(/DATABASE_MIGRATION_URL: must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: 'postgres://db/x' })).toThrow(/DATABASE_MIGRATION_URL needs DATABASE_URL/);
  });

  it('reads the read replica of the statistics and reports, on PostgreSQL only', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).database.readUrl).toBeNull();
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', DATABASE_READ_URL: 'postgres://replica/x' }).database.readUrl).toBe('postgres://replica/x');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/x', DATABASE_READ_URL: 'replica:5432' })).toThrow(/DATABASE_READ_URL: must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://replica/x' })).toThrow(/DATABASE_READ_URL needs DATABASE_URL/);
  });

  it('builds the Redis URL from REDIS_HOST and REDIS_PORT as in the report', () => {
    expect(loadConfig({ REDIS_HOST: 'cache', REDIS_PORT: '6380' }).redis.url).toBe('redis://cache:6380');
    expect(loadConfig({ REDIS_URL: 'redis://a:1', REDIS_HOST: 'b' }).redis.url).toBe('redis://a:1');
  });

  it('names every invalid variable', () => {
    try {
      loadConfig({ PORT: 'eighty', QUOTA_TIMEZONE: 'Mars/Olympus', JWT_SECRET: 'short' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/JWT_SECRET/);
    }
    expect(() => loadConfig({ QUOTA_TIMEZONE: 'Mars/Olympus' })).toThrow(/unknown time zone/);
    expect(() => loadConfig({ QUOTA_WARNING_PERCENT: '97' })).toThrow(/thresholds must increase/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'root@example.com' })).toThrow(/ADMIN_PASSWORD/);
  });

  it('reads every quota number from the environment', () => {
    const config = loadConfig({ QUOTA_FREE_MONTHLY_TOKENS: '5000', QUOTA_CONSUMPTION_ORDER: 'free-first', QUOTA_BLOCK_PERCENT: '110', QUOTA_DEFAULT_TOKENS_PER_TURN: '300' });
    expect(config.quota).toMatchObject({ freeMonthlyTokens: 5_000, consumptionOrder: 'free-first', blockBasisPoints: 11_000, defaultTokensPerTurn: 300 });
  });

  describe('WEB_CONCURRENCY (server processes)', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://consult-on.example.com', TOSS_CLIENT_KEY: 'live_ck_x', TOSS_SECRET_KEY: 'live_sk_x' };
    const withRedis = { ...production, REDIS_URL: 'redis://cache:6379' };

    it('runs one process per core in production on PostgreSQL and Redis, at most DEFAULT_MAX_WORKERS', () => {
      expect(loadConfig(withRedis, { cores: 4 }).processes).toEqual({ workers: 4, reason: 'per-core' });
      expect(loadConfig(withRedis, { cores: 1 }).processes).toEqual({ workers: 1, reason: 'per-core' });
      expect(loadConfig(withRedis, { cores: 500 }).processes).toEqual({ workers: DEFAULT_MAX_WORKERS, reason: 'per-core' });
      expect(loadConfig(withRedis).processes.workers).toBe(Math.min(DEFAULT_MAX_WORKERS, availableParallelism()));
      expect(loadConfig({ ...production, REDIS_HOST: 'cache' }, { cores: 3 }).processes).toEqual({ workers: 3, reason: 'per-core' });
    });

    it('takes WEB_CONCURRENCY as given, from 1 to MAX_WORKERS', () => {
      expect(loadConfig({ ...withRedis, WEB_CONCURRENCY: '3' }, { cores: 2 }).processes).toEqual({ workers: 3, reason: 'configured' });
      expect(loadConfig({ ...withRedis, WEB_CONCURRENCY: '1' }, { cores: 8 }).processes).toEqual({ workers: 1, reason: 'configured' });
      expect(loadConfig({ ...withRedis, WEB_CONCURRENCY: String(MAX_WORKERS) }).processes.workers).toBe(MAX_WORKERS);
      for (const invalid of ['0', '-1', String(MAX_WORKERS + 1), '1.5', 'two', '']) {
        expect(() => loadConfig({ ...withRedis, WEB_CONCURRENCY: invalid }), invalid).toThrow(/WEB_CONCURRENCY/);
      }
    });

    it('keeps production without Redis to one process unless told, and refuses more than one without Redis', () => {
      expect(loadConfig(production, { cores: 8 }).processes).toEqual({ workers: 1, reason: 'no-redis' });
      expect(loadConfig({ ...production, WEB_CONCURRENCY: '1' }, { cores: 8 }).processes).toEqual({ workers: 1, reason: 'configured' });
      expect(() => loadConfig({ ...production, WEB_CONCURRENCY: '2' })).toThrow(/WEB_CONCURRENCY=2 needs REDIS_URL/);
      expect(() => loadConfig({ DATABASE_URL: 'postgres://db/x', WEB_CONCURRENCY: '2' })).toThrow(ConfigError);
    });

    it('runs the embedded database in one process only, and says why', () => {
      expect(loadConfig({}, { cores: 8 }).processes).toEqual({ workers: 1, reason: 'embedded-database' });
      expect(loadConfig({ WEB_CONCURRENCY: '1' }).processes).toEqual({ workers: 1, reason: 'embedded-database' });
      expect(() => loadConfig({ WEB_CONCURRENCY: '2', REDIS_URL: 'redis://cache:6379' })).toThrow(/WEB_CONCURRENCY=2 needs DATABASE_URL: the embedded PGlite database lives inside one process/);
    });

    it('runs one process outside production unless WEB_CONCURRENCY asks for more', () => {
      const development = { DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://cache:6379' };
      expect(loadConfig(development, { cores: 8 }).processes).toEqual({ workers: 1, reason: 'not-production' });
      expect(loadConfig({ ...development, WEB_CONCURRENCY: '2' }, { cores: 8 }).processes).toEqual({ workers: 2, reason: 'configured' });
    });
  });
});
