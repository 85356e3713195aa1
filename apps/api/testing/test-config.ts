import { loadConfig, type AppConfig } from '../src/config/app-config.js';

/**
 * The free plan without its turn caps (turns a minute, turns at once), for tests, benches and
 * fault runs that hammer one account on purpose: what they measure is the ledger, not the plan.
 * The plan tests set their own caps.
 */
export const UNCAPPED_PLANS = JSON.stringify({ free: { turnsPerMinute: 100_000, concurrentTurns: 10_000 } });

/** The configuration tests run with: the defaults of a development machine, plus overrides. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'silent',
    DEMO_ACCOUNTS: 'false',
    DEMO_MODEL_DELAY_MS: '0',
    // Tests do not depend on whether the web app happens to be built.
    SERVE_WEB: 'false',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    REDIS_KEY_PREFIX: `consult-on-test:${process.pid}:${Date.now()}:`,
    ...overrides,
  });
}
