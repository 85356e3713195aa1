import cluster from 'node:cluster';
import { createLogger } from './app-logger.js';
import { ClusterPrimary } from './cluster/cluster-primary.js';
import { isClusterWorker, WORKER_READY, type WorkerReadyMessage } from './cluster/worker-messages.js';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { startupBanner, type ServerFacts } from './startup-banner.js';

/**
 * `node dist/main.js`: one process that serves, or — with more than one worker (WEB_CONCURRENCY,
 * see ProcessPlan) — a primary that only supervises, and the workers it forks, each running this
 * same file down the serving path.
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (config.processes.workers > 1 && cluster.isPrimary) {
    const primary = new ClusterPrimary({
      workers: config.processes.workers,
      logger: createLogger(config),
      onStarted: ({ ready: { type: _, ...facts }, workerPids, startedMs }) => console.log(startupBanner(config, { ...facts, startedMs, pids: { primary: process.pid, workers: workerPids } })),
    });
    primary.start();
    return;
  }
  const started = performance.now();
  // Loaded here, not above: the primary never serves, so it never loads the application.
  const { startServer } = await import('./bootstrap.js');
  const server = await startServer(config);
  const facts: ServerFacts = { url: server.url, webServed: server.webServed, database: server.database.description, reads: server.readDatabase?.description ?? null };
  if (isClusterWorker()) {
    const ready: WorkerReadyMessage = { type: WORKER_READY, ...facts };
    process.send!(ready);
    return;
  }
  console.log(startupBanner(config, { ...facts, startedMs: Math.round(performance.now() - started), pids: { single: process.pid } }));
}

main().catch((error: unknown) => {
  console.error('Consult-On API failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
