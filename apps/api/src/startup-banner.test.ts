import { describe, expect, it } from 'vitest';
import { loadConfig } from './config/app-config.js';
import { startupBanner } from './startup-banner.js';

const facts = { url: 'http://localhost:3000', webServed: true, database: 'PostgreSQL db:5432/x', reads: null, startedMs: 1_234 };
const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://consult-on.example.com', TOSS_CLIENT_KEY: 'live_ck_x', TOSS_SECRET_KEY: 'live_sk_x' };

describe('startupBanner', () => {
  it('names the workers and their primary in cluster mode', () => {
    const config = loadConfig({ ...production, REDIS_URL: 'redis://cache:6379' }, { cores: 2 });
    const banner = startupBanner(config, { ...facts, pids: { primary: 10, workers: [11, 12] } });
    expect(banner).toContain('  Consult-On API is running (production) in 1234 ms');
    expect(banner).toContain('  Workers:  2 (one per core, at most 8), pids 11, 12, under primary 10; a worker that exits is replaced');
    const configured = loadConfig({ ...production, REDIS_URL: 'redis://cache:6379', WEB_CONCURRENCY: '3' });
    expect(startupBanner(configured, { ...facts, pids: { primary: 10, workers: [11, 12, 13] } })).toContain('  Workers:  3 (WEB_CONCURRENCY=3), pids 11, 12, 13');
  });

  it('says why one process serves: the embedded database, or production without Redis', () => {
    const embedded = startupBanner(loadConfig({}), { ...facts, database: 'embedded PGlite in data/pglite', pids: { single: 7 } });
    expect(embedded).toContain('  Process:  one, pid 7 (the embedded PGlite database lives in this one process)');
    expect(embedded).toContain('demo@consult-on.local');
    const withoutRedis = startupBanner(loadConfig(production, { cores: 8 }), { ...facts, pids: { single: 7 } });
    expect(withoutRedis).toContain('  Process:  one, pid 7 (without REDIS_URL rate limits and caches live in each process, so one; with Redis, one per core (at most 8))');
    expect(withoutRedis).not.toContain('demo@consult-on.local');
  });

  it('names the read replica when there is one', () => {
    const config = loadConfig({ ...production, REDIS_URL: 'redis://cache:6379' }, { cores: 2 });
    expect(startupBanner(config, { ...facts, pids: { single: 7 } })).not.toContain('Reads:');
    expect(startupBanner(config, { ...facts, reads: 'PostgreSQL replica:5432/x', pids: { single: 7 } })).toContain('  Reads:    PostgreSQL replica:5432/x (admin statistics, reports)');
  });
});
