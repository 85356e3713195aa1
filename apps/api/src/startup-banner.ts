import { DEFAULT_MAX_WORKERS, type AppConfig, type ProcessPlan } from './config/app-config.js';
import { DEMO_ACCOUNTS } from './demo-accounts.js';

/** What a serving process found out at its start (a worker sends them to the primary). */
export interface ServerFacts {
  url: string;
  webServed: boolean;
  database: string;
  /** The read replica's description (DATABASE_READ_URL), or null. */
  reads: string | null;
}

/** What the start found out: printed once, by the one process or by the cluster's primary. */
export interface BannerFacts extends ServerFacts {
  startedMs: number;
  /** The process that serves (one process), or the primary and its workers (cluster mode). */
  pids: { primary: number; workers: number[] } | { single: number };
}

export function startupBanner(config: AppConfig, facts: BannerFacts): string {
  const lines = [
    '',
    `  Consult-On API is running (${config.nodeEnv}) in ${facts.startedMs} ms`,
    ...(facts.webServed ? [`  Web app:  ${facts.url}/`] : []),
    `  API:      ${facts.url}/api`,
    `  Health:   ${facts.url}/health`,
    config.swaggerEnabled ? `  Swagger:  ${facts.url}/api/docs` : '  Swagger:  disabled',
    `  Database: ${facts.database}`,
    ...(facts.reads ? [`  Reads:    ${facts.reads} (admin statistics, reports)`] : []),
    `  Cache:    ${config.redis.url ? 'Redis' : 'in memory'}`,
    processesLine(config.processes, facts.pids),
  ];
  if (config.jwt.isEphemeral) lines.push('  JWT_SECRET is not set: a random key is used and sessions end at restart.');
  if (config.demoAccounts) {
    lines.push('', '  Demo accounts:');
    for (const account of DEMO_ACCOUNTS) lines.push(`    ${account.role.padEnd(5)}  ${account.email}  /  ${account.password}`);
  }
  if (config.admin) lines.push(`  Admin account: ${config.admin.email} (from ADMIN_EMAIL)`);
  return lines.join('\n') + '\n';
}

const SINGLE_PROCESS_WHY: Record<ProcessPlan['reason'], string> = {
  'embedded-database': 'the embedded PGlite database lives in this one process',
  'no-redis': `without REDIS_URL rate limits and caches live in each process, so one; with Redis, one per core (at most ${DEFAULT_MAX_WORKERS})`,
  'not-production': 'one outside production unless WEB_CONCURRENCY says more',
  configured: 'WEB_CONCURRENCY=1',
  'per-core': 'one core',
};

function processesLine(plan: ProcessPlan, pids: BannerFacts['pids']): string {
  if ('single' in pids) return `  Process:  one, pid ${pids.single} (${SINGLE_PROCESS_WHY[plan.reason]})`;
  const why = plan.reason === 'per-core' ? `one per core, at most ${DEFAULT_MAX_WORKERS}` : `WEB_CONCURRENCY=${plan.workers}`;
  return `  Workers:  ${pids.workers.length} (${why}), pids ${pids.workers.join(', ')}, under primary ${pids.primary}; a worker that exits is replaced`;
}
