import { availableParallelism } from 'node:os';
import { assertValidPolicy, percentToBasisPoints, type QuotaPolicyConfig } from '@consult-on/quota-policy';
import { z } from 'zod';
import { parsePlans, type PlanConfig } from './plans-config.js';
import { normalizeEmail } from '../auth/email-address.js';
import { DEFAULT_WEB_DIR } from '../web-app.js';
import { parseS3Url, type S3Location } from '../archive/s3-location.js';

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** The most server processes one `main.js` runs: each opens its own pool of DATABASE_POOL_SIZE connections. */
export const MAX_WORKERS = 64;
/**
 * One worker per core by default, up to this many: each opens DATABASE_POOL_SIZE connections, and
 * a large machine (or a container that sees its host's cores) would otherwise open hundreds.
 * WEB_CONCURRENCY sets more.
 */
export const DEFAULT_MAX_WORKERS = 8;

const percent = z.coerce.number().min(0).max(1_000);
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');
const positiveInt = z.coerce.number().int().positive();

/**
 * Every environment variable the API reads, validated once at start. `.env.example` describes
 * each of them; keep the two in step.
 */
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(MAX_WORKERS).optional(),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  DATABASE_MIGRATION_URL: postgresUrl.optional(),
  DATABASE_PREPARED_STATEMENTS: booleanString.default(true),
  DATABASE_READ_URL: postgresUrl.optional(),
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  REDIS_HOST: z.string().optional(),
  REDIS_PORT: positiveInt.default(6379),
  REDIS_KEY_PREFIX: z.string().default('consult-on:'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_EXPIRES_IN_SECONDS: positiveInt.default(86_400),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ADMIN_PROMOTE_EXISTING: booleanString.default(false),
  DEMO_ACCOUNTS: booleanString.optional(),
  QUOTA_FREE_MONTHLY_TOKENS: z.coerce.number().int().min(0).default(100_000),
  QUOTA_TIMEZONE: z.string().default('Asia/Seoul'),
  QUOTA_CONSUMPTION_ORDER: z.enum(['purchased-first', 'free-first']).default('purchased-first'),
  QUOTA_NOTICE_PERCENT: percent.default(80),
  QUOTA_WARNING_PERCENT: percent.default(90),
  QUOTA_CRITICAL_PERCENT: percent.default(95),
  QUOTA_BLOCK_PERCENT: percent.default(105),
  QUOTA_DEFAULT_TOKENS_PER_TURN: positiveInt.default(900),
  HOLD_TTL_SECONDS: positiveInt.default(300),
  HOLD_SWEEP_INTERVAL_SECONDS: positiveInt.default(30),
  PAYMENT_PROVIDER: z.enum(['instant', 'toss', 'stripe']).optional(),
  PAYMENT_WEBHOOK_TOLERANCE_SECONDS: positiveInt.default(300),
  PAYMENT_TIMEOUT_MS: positiveInt.default(30_000),
  PAYMENT_RECONCILE_CRON: z.string().default('*/5 * * * *'),
  PAYMENT_RECONCILE_AFTER_MINUTES: positiveInt.default(10),
  PAYMENT_ORDER_EXPIRE_MINUTES: positiveInt.default(60),
  PAYMENT_RENEWAL_CRON: z.string().default('15 * * * *'),
  PAYMENT_RENEWAL_MAX_ATTEMPTS: positiveInt.default(3),
  PLAN_RENEWAL_LEAD_HOURS: positiveInt.default(72),
  TOSS_CLIENT_KEY: z.string().min(1).optional(),
  TOSS_SECRET_KEY: z.string().min(1).optional(),
  TOSS_API_URL: z.url().default('https://api.tosspayments.com'),
  TOSS_SDK_URL: z.url().default('https://js.tosspayments.com/v2/standard'),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  STRIPE_CURRENCY: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code such as KRW or USD').default('KRW'),
  STRIPE_API_URL: z.url().optional(),
  RECEIPT_SELLER_NAME: z.string().default('Consult-On'),
  RECEIPT_SELLER_REGISTRATION_NUMBER: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt.default(10),
  REGISTER_RATE_LIMIT_PER_HOUR: positiveInt.default(10),
  BODY_LIMIT: z.string().default('100kb'),
  TRUST_PROXY: z.string().default('loopback'),
  WEB_DIR: z.string().optional(),
  SERVE_WEB: booleanString.optional(),
  SWAGGER_ENABLED: booleanString.optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_TIMEOUT_MS: positiveInt.default(60_000),
  CHAT_MODELS: z.string().optional(),
  PLANS: z.string().optional(),
  CHAT_DEFAULT_MODEL: z.string().optional(),
  CHAT_CONTEXT_MAX_TOKENS: positiveInt.optional(),
  /** The former name of CHAT_CONTEXT_MAX_TOKENS, still read when the new one is not set. */
  CHAT_CONTEXT_BUDGET_TOKENS: positiveInt.optional(),
  CHAT_MIN_COMPLETION_TOKENS: positiveInt.default(16),
  CHAT_TOKEN_COUNT_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  DEMO_MODEL_DELAY_MS: z.coerce.number().int().min(0).max(5_000).default(15),
  METERING_ENABLED: booleanString.optional(),
  NOTIFY_WEBHOOK_URL: z.url().optional(),
  NOTIFY_WEBHOOK_SECRET: z.string().min(16).optional(),
  NOTIFY_SWEEP_CRON: z.string().default('0 * * * *'),
  NOTIFY_SWEEP_TIMEZONE: z.string().optional(),
  NOTIFY_STREAMS_PER_USER: positiveInt.default(5),
  NOTIFY_STREAMS_PER_INSTANCE: positiveInt.default(1_000),
  JOBS_ENABLED: booleanString.optional(),
  STATS_CACHE_TTL_SECONDS: positiveInt.default(600),
  REPORTS_CRON: z.string().default('30 0 1 * *'),
  ARCHIVE_AFTER_DAYS: z.coerce.number().int().min(0).max(3_650).default(90),
  ARCHIVE_CRON: z.string().default('0 4 * * *'),
  ARCHIVE_S3_URL: z.url().optional(),
  METRICS_TOKEN: z.string().min(16).optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('Consult-On <no-reply@consult-on.invalid>'),
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(1_440).default(30),
  EMAIL_VERIFICATION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(48),
  UNVERIFIED_ALLOWANCE_TOKENS: z.coerce.number().int().min(0).max(1_000_000_000).default(5_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface AppConfig {
  nodeEnv: Environment['NODE_ENV'];
  isProduction: boolean;
  host: string;
  port: number;
  /** How many server processes `main.js` runs on the port (WEB_CONCURRENCY) and why that many. */
  processes: ProcessPlan;
  publicUrl: string | null;
  database: DatabaseConfig;
  redis: { url: string | null; keyPrefix: string };
  jwt: { secret: string; expiresInSeconds: number; isEphemeral: boolean };
  /** `promoteExisting`: an account already registered with ADMIN_EMAIL may be made the admin (ADMIN_PROMOTE_EXISTING). */
  admin: { email: string; password: string; promoteExisting: boolean } | null;
  demoAccounts: boolean;
  quota: QuotaPolicyConfig;
  /** The plans config seeds (PLANS over the defaults); the database's rows are what applies. */
  plans: PlanConfig[];
  holdTtlSeconds: number;
  holdSweepIntervalSeconds: number;
  payments: PaymentsConfig;
  rateLimit: { perMinute: number; authPerMinute: number; registerPerHour: number };
  bodyLimit: string;
  /** The web app's static export served at `/`; null when this instance serves only the API. */
  webDir: string | null;
  /** Express `trust proxy`: which proxies may set X-Forwarded-For (the client address used by rate limits). */
  trustProxy: string | number | boolean;
  swaggerEnabled: boolean;
  logLevel: Environment['LOG_LEVEL'];
  chat: ChatConfig;
  notifications: {
    webhookUrl: string | null;
    webhookSecret: string | null;
    sweepCron: string;
    sweepTimeZone: string;
    /** Live streams (GET /api/notifications/stream) one user may hold; a new one closes their oldest. */
    streamsPerUser: number;
    /** Live streams one instance serves; past it a new one is refused with 503. */
    streamsPerInstance: number;
  };
  statsCacheTtlSeconds: number;
  /** When last month's usage reports are computed (cron, in the quota's time zone). */
  reportsCron: string;
  /** Conversations idle longer than this many days move to the archive (ARCHIVE_AFTER_DAYS), when ARCHIVE_CRON runs. */
  archiveAfterDays: number;
  archiveCron: string;
  /** ARCHIVE_S3_URL, read: archives go to this S3-compatible bucket instead of PostgreSQL; null: PostgreSQL. */
  archiveS3: S3Location | null;
  mail: MailConfig;
  /** Bearer token for GET /metrics; without it /metrics is open outside production and off in production. */
  metricsToken: string | null;
  /** Scheduled jobs and background workers (sweeps, webhook deliveries); off in tests that drive them by hand. */
  jobsEnabled: boolean;
}

export interface DatabaseConfig {
  /** DATABASE_URL; null: the embedded PGlite in `dataDir`. */
  url: string | null;
  poolSize: number;
  dataDir: string;
  /** DATABASE_MIGRATION_URL: where migrations run under their session-level lock (a direct connection behind PgBouncer); null: `url`. */
  migrationUrl: string | null;
  /** DATABASE_PREPARED_STATEMENTS: false sends every statement unnamed (PgBouncer in transaction mode). */
  preparedStatements: boolean;
  /** DATABASE_READ_URL: a read replica for the admin statistics and the reports' reads; null: they read the primary. */
  readUrl: string | null;
}

/**
 * The server processes of one `main.js`. With more than one, a primary process forks that many
 * workers, each serving the same port (Node's cluster). `reason` says why the count is what it is:
 * - `configured`: WEB_CONCURRENCY was set;
 * - `per-core`: production on PostgreSQL and Redis without WEB_CONCURRENCY, one per core (at most DEFAULT_MAX_WORKERS);
 * - `embedded-database`: PGlite lives inside one process, so there is only ever one;
 * - `no-redis`: production without Redis: rate limits and caches are in each process's memory,
 *   so a second process would double every limit; one process unless WEB_CONCURRENCY says otherwise
 *   (and more than one needs Redis);
 * - `not-production`: development and tests run one process unless WEB_CONCURRENCY says otherwise.
 */
export interface ProcessPlan {
  workers: number;
  reason: 'configured' | 'per-core' | 'embedded-database' | 'no-redis' | 'not-production';
}

/** Mail to account owners (password resets, address verification). */
export interface MailConfig {
  /** SMTP_URL; null: no mail is sent and each link is written to the log instead (the embedded default). */
  smtpUrl: string | null;
  from: string;
  /** Where the links in mail point: PUBLIC_URL (never the request's Host, which a caller chooses). */
  linkBase: string;
  resetTtlMinutes: number;
  verificationTtlHours: number;
  /** Tokens an account whose address is not yet verified may spend in a period, while mail is configured. */
  unverifiedAllowanceTokens: number;
}

/** One model users can pick: what it is called at the provider and how its tokens are weighted. */
export interface ModelConfig {
  id: string;
  providerModel: string;
  /** Charged tokens = ⌈prompt × inputWeight + completion × outputWeight⌉. */
  inputWeight: number;
  outputWeight: number;
  completionLimit: number;
}

export interface ChatConfig {
  provider: 'openai' | 'demo';
  openai: { apiKey: string | null; baseUrl: string | null; timeoutMs: number };
  models: ModelConfig[];
  defaultModel: string;
  /** Tokens of earlier messages resent with a turn at most (CHAT_CONTEXT_MAX_TOKENS): oldest turns are left out first. */
  contextMaxTokens: number;
  minCompletionTokens: number;
  /** Worker threads that count long texts (each holds the tokenizer, ~80 MB). */
  tokenCountThreads: number;
  demoDelayMs: number;
  /** Off only to measure metering's overhead (bench:chat); refused in production. */
  meteringEnabled: boolean;
}

const modelSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  providerModel: z.string().min(1),
  inputWeight: z.number().positive().max(1_000),
  outputWeight: z.number().positive().max(1_000),
  completionLimit: z.number().int().positive().max(1_000_000),
});

export const DEFAULT_MODELS: ModelConfig[] = [
  { id: 'consult-basic', providerModel: 'gpt-4o-mini', inputWeight: 1, outputWeight: 1, completionLimit: 1_024 },
  { id: 'consult-pro', providerModel: 'gpt-4o', inputWeight: 2, outputWeight: 4, completionLimit: 2_048 },
];

function parseModels(json: string | undefined): ModelConfig[] {
  if (!json) return DEFAULT_MODELS;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError('Invalid configuration: CHAT_MODELS is not valid JSON.');
  }
  const parsed = z.array(modelSchema).min(1).safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: CHAT_MODELS: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

export class ConfigError extends Error {}

export interface PaymentsConfig {
  provider: 'instant' | 'toss' | 'stripe';
  toss: { clientKey: string; secretKey: string; apiBaseUrl: string; sdkUrl: string } | null;
  stripe: { secretKey: string; webhookSecret: string; currency: string; apiBaseUrl: string | null } | null;
  timeoutMs: number;
  webhookToleranceSeconds: number;
  reconcileCron: string;
  reconcileAfterMinutes: number;
  orderExpireMinutes: number;
  renewalCron: string;
  renewalMaxAttempts: number;
  /** A paid plan's renewal is charged this long before the reset, so a failure is known (and told) while the plan still runs. */
  planRenewalLeadMs: number;
  seller: { name: string; registrationNumber: string | null };
}

/** The chosen provider and its keys: without them it cannot take a single payment, so the start is refused. */
function paymentsConfig(env: Environment, isProduction: boolean): PaymentsConfig {
  const provider = env.PAYMENT_PROVIDER ?? (isProduction ? 'toss' : 'instant');
  if (isProduction && provider === 'instant') {
    throw new ConfigError('Invalid configuration: PAYMENT_PROVIDER=instant confirms payments without payment and is refused in production.');
  }
  const required = { instant: [], toss: ['TOSS_CLIENT_KEY', 'TOSS_SECRET_KEY'], stripe: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'] } as const;
  const missing = required[provider].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(`Invalid configuration: PAYMENT_PROVIDER=${provider} needs ${missing.join(' and ')} (from the provider's dashboard).`);
  }
  if (isProduction && provider !== 'instant') {
    // Test keys take any test card: in production that is the instant provider by another name.
    const testKeys = required[provider].filter((name) => /^(test_|sk_test_|pk_test_)/.test(env[name] ?? ''));
    if (testKeys.length > 0) throw new ConfigError(`Invalid configuration: ${testKeys.join(' and ')} ${testKeys.length > 1 ? 'are test keys' : 'is a test key'}, refused in production.`);
    // The provider sends the buyer back to PUBLIC_URL; without it the address would come from the request's Host header.
    if (!env.PUBLIC_URL) throw new ConfigError(`Invalid configuration: PAYMENT_PROVIDER=${provider} needs PUBLIC_URL in production (where the payment window returns the buyer).`);
  }
  return {
    provider,
    toss:
      provider === 'toss'
        ? { clientKey: env.TOSS_CLIENT_KEY!, secretKey: env.TOSS_SECRET_KEY!, apiBaseUrl: env.TOSS_API_URL.replace(/\/+$/, ''), sdkUrl: env.TOSS_SDK_URL }
        : null,
    stripe:
      provider === 'stripe'
        ? { secretKey: env.STRIPE_SECRET_KEY!, webhookSecret: env.STRIPE_WEBHOOK_SECRET!, currency: env.STRIPE_CURRENCY.toUpperCase(), apiBaseUrl: env.STRIPE_API_URL ?? null }
        : null,
    timeoutMs: env.PAYMENT_TIMEOUT_MS,
    webhookToleranceSeconds: env.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
    reconcileCron: env.PAYMENT_RECONCILE_CRON,
    reconcileAfterMinutes: env.PAYMENT_RECONCILE_AFTER_MINUTES,
    orderExpireMinutes: env.PAYMENT_ORDER_EXPIRE_MINUTES,
    renewalCron: env.PAYMENT_RENEWAL_CRON,
    renewalMaxAttempts: env.PAYMENT_RENEWAL_MAX_ATTEMPTS,
    planRenewalLeadMs: env.PLAN_RENEWAL_LEAD_HOURS * 3_600_000,
    seller: { name: env.RECEIPT_SELLER_NAME, registrationNumber: env.RECEIPT_SELLER_REGISTRATION_NUMBER ?? null },
  };
}

/** What the machine offers the process plan: its cores (os.availableParallelism). */
export interface MachineFacts {
  cores: number;
}

function processPlan(env: Environment, isProduction: boolean, hasRedis: boolean, machine: MachineFacts): ProcessPlan {
  const configured = env.WEB_CONCURRENCY;
  if (!env.DATABASE_URL) {
    if (configured !== undefined && configured > 1) {
      throw new ConfigError(`Invalid configuration: WEB_CONCURRENCY=${configured} needs DATABASE_URL: the embedded PGlite database lives inside one process, so there is only one.`);
    }
    return { workers: 1, reason: 'embedded-database' };
  }
  if (configured !== undefined) {
    if (configured > 1 && !hasRedis) {
      throw new ConfigError(
        `Invalid configuration: WEB_CONCURRENCY=${configured} needs REDIS_URL: without Redis each process counts rate limits and caches in its own memory, ` +
          `so ${configured} processes would let ${configured} times the login and request limits through. Set REDIS_URL, or WEB_CONCURRENCY=1.`,
      );
    }
    return { workers: configured, reason: 'configured' };
  }
  if (!isProduction) return { workers: 1, reason: 'not-production' };
  if (!hasRedis) return { workers: 1, reason: 'no-redis' };
  return { workers: Math.max(1, Math.min(DEFAULT_MAX_WORKERS, machine.cores)), reason: 'per-core' };
}

function redisUrl(env: Environment): string | null {
  if (env.REDIS_URL) return env.REDIS_URL;
  if (env.REDIS_HOST) return `redis://${env.REDIS_HOST}:${env.REDIS_PORT}`;
  return null;
}

/** Reads and validates the environment; throws a ConfigError that names every problem. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, machine: MachineFacts = { cores: availableParallelism() }): AppConfig {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  if (isProduction) {
    const missing = (['JWT_SECRET', 'DATABASE_URL'] as const).filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ConfigError(
        `Refusing to start in production without ${missing.join(' and ')}: ` +
          'set JWT_SECRET to a random string of at least 32 characters and DATABASE_URL to a PostgreSQL URL.',
      );
    }
  }
  if ((env.ADMIN_EMAIL === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD must be set together.');
  }
  const payments = paymentsConfig(env, isProduction);
  const processes = processPlan(env, isProduction, redisUrl(env) !== null, machine);
  const models = parseModels(env.CHAT_MODELS);
  const defaultModel = env.CHAT_DEFAULT_MODEL ?? models[0]!.id;
  if (!models.some((model) => model.id === defaultModel)) {
    throw new ConfigError(`Invalid configuration: CHAT_DEFAULT_MODEL ${defaultModel} is not in the model table.`);
  }
  if (isProduction && env.METERING_ENABLED === false) {
    throw new ConfigError('Invalid configuration: METERING_ENABLED=false gives chat away for free and is refused in production.');
  }
  let archiveS3: S3Location | null = null;
  if (env.ARCHIVE_S3_URL) {
    try {
      archiveS3 = parseS3Url(env.ARCHIVE_S3_URL);
    } catch (error) {
      throw new ConfigError(`Invalid configuration: ${(error as Error).message}.`);
    }
  }
  if (isProduction && env.SMTP_URL && !env.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration: SMTP_URL needs PUBLIC_URL, the address the links in mail point to.');
  }
  for (const name of ['DATABASE_MIGRATION_URL', 'DATABASE_READ_URL'] as const) {
    if (env[name] && !env.DATABASE_URL) throw new ConfigError(`Invalid configuration: ${name} needs DATABASE_URL (the embedded database is a single one).`);
  }
  if (env.NOTIFY_WEBHOOK_URL && !env.NOTIFY_WEBHOOK_SECRET) {
    throw new ConfigError('Invalid configuration: NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET to sign deliveries.');
  }
  let plans: PlanConfig[];
  try {
    plans = parsePlans(env.PLANS, env.QUOTA_FREE_MONTHLY_TOKENS, models.map((model) => model.id));
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${(error as Error).message}`);
  }
  const quota: QuotaPolicyConfig = {
    freeMonthlyTokens: env.QUOTA_FREE_MONTHLY_TOKENS,
    timeZone: env.QUOTA_TIMEZONE,
    consumptionOrder: env.QUOTA_CONSUMPTION_ORDER,
    noticeBasisPoints: percentToBasisPoints(env.QUOTA_NOTICE_PERCENT),
    warningBasisPoints: percentToBasisPoints(env.QUOTA_WARNING_PERCENT),
    criticalBasisPoints: percentToBasisPoints(env.QUOTA_CRITICAL_PERCENT),
    blockBasisPoints: percentToBasisPoints(env.QUOTA_BLOCK_PERCENT),
    defaultTokensPerTurn: env.QUOTA_DEFAULT_TOKENS_PER_TURN,
  };
  try {
    assertValidPolicy(quota);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    nodeEnv: env.NODE_ENV,
    isProduction,
    host: env.HOST,
    port: env.PORT,
    processes,
    publicUrl: env.PUBLIC_URL ?? null,
    database: {
      url: env.DATABASE_URL ?? null,
      poolSize: env.DATABASE_POOL_SIZE,
      dataDir: env.DATA_DIR,
      migrationUrl: env.DATABASE_MIGRATION_URL ?? null,
      preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
      readUrl: env.DATABASE_READ_URL ?? null,
    },
    redis: { url: redisUrl(env), keyPrefix: env.REDIS_KEY_PREFIX },
    jwt: {
      // Outside production a missing secret gets a random one: tokens then last until restart.
      secret: env.JWT_SECRET ?? crypto.randomUUID() + crypto.randomUUID(),
      expiresInSeconds: env.JWT_EXPIRES_IN_SECONDS,
      isEphemeral: env.JWT_SECRET === undefined,
    },
    admin: env.ADMIN_EMAIL && env.ADMIN_PASSWORD ? { email: normalizeEmail(env.ADMIN_EMAIL), password: env.ADMIN_PASSWORD, promoteExisting: env.ADMIN_PROMOTE_EXISTING } : null,
    demoAccounts: env.DEMO_ACCOUNTS ?? (!isProduction && !env.DATABASE_URL),
    quota,
    plans,
    holdTtlSeconds: env.HOLD_TTL_SECONDS,
    holdSweepIntervalSeconds: env.HOLD_SWEEP_INTERVAL_SECONDS,
    payments,
    rateLimit: { perMinute: env.RATE_LIMIT_PER_MINUTE, authPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE, registerPerHour: env.REGISTER_RATE_LIMIT_PER_HOUR },
    bodyLimit: env.BODY_LIMIT,
    webDir: env.SERVE_WEB === false ? null : (env.WEB_DIR ?? DEFAULT_WEB_DIR),
    trustProxy: /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY === 'true' ? true : env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY,
    // The API's whole surface, public in production only when asked for.
    swaggerEnabled: env.SWAGGER_ENABLED ?? !isProduction,
    logLevel: env.LOG_LEVEL,
    notifications: {
      webhookUrl: env.NOTIFY_WEBHOOK_URL ?? null,
      webhookSecret: env.NOTIFY_WEBHOOK_SECRET ?? null,
      sweepCron: env.NOTIFY_SWEEP_CRON,
      sweepTimeZone: env.NOTIFY_SWEEP_TIMEZONE ?? env.QUOTA_TIMEZONE,
      streamsPerUser: env.NOTIFY_STREAMS_PER_USER,
      streamsPerInstance: env.NOTIFY_STREAMS_PER_INSTANCE,
    },
    jobsEnabled: env.JOBS_ENABLED ?? env.NODE_ENV !== 'test',
    statsCacheTtlSeconds: env.STATS_CACHE_TTL_SECONDS,
    reportsCron: env.REPORTS_CRON,
    archiveAfterDays: env.ARCHIVE_AFTER_DAYS,
    archiveCron: env.ARCHIVE_CRON,
    archiveS3,
    mail: {
      smtpUrl: env.SMTP_URL ?? null,
      from: env.MAIL_FROM,
      linkBase: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
      resetTtlMinutes: env.PASSWORD_RESET_TTL_MINUTES,
      verificationTtlHours: env.EMAIL_VERIFICATION_TTL_HOURS,
      unverifiedAllowanceTokens: env.UNVERIFIED_ALLOWANCE_TOKENS,
    },
    metricsToken: env.METRICS_TOKEN ?? null,
    chat: {
      provider: env.OPENAI_API_KEY ? 'openai' : 'demo',
      openai: { apiKey: env.OPENAI_API_KEY ?? null, baseUrl: env.OPENAI_BASE_URL ?? null, timeoutMs: env.OPENAI_TIMEOUT_MS },
      models,
      defaultModel,
      contextMaxTokens: env.CHAT_CONTEXT_MAX_TOKENS ?? env.CHAT_CONTEXT_BUDGET_TOKENS ?? 3_000,
      minCompletionTokens: env.CHAT_MIN_COMPLETION_TOKENS,
      tokenCountThreads: env.CHAT_TOKEN_COUNT_THREADS,
      demoDelayMs: env.DEMO_MODEL_DELAY_MS,
      meteringEnabled: env.METERING_ENABLED ?? true,
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
