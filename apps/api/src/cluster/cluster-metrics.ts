import type { Worker } from 'node:cluster';
import { AggregatorRegistry, Gauge } from 'prom-client';
import { isMessage, METRICS_COLLECT, METRICS_COLLECTED, type MetricsCollectedMessage, type MetricsCollectMessage } from './worker-messages.js';

/** How long the primary waits for each worker's registry before it answers without it. */
const COLLECT_TIMEOUT_MS = 2_000;

let nextCollectId = 1;

/**
 * The metrics of a cluster's workers as one instance's: counters and histograms summed, gauges
 * by each one's `aggregator` (the open holds, which every worker reads from the database, by
 * max), plus `consult_on_cluster_workers` (configured, answered). A worker that does not answer
 * in time is left out of the sums, and `answered` says so. A replaced worker's counts leave the
 * sums with it, which Prometheus takes for a counter reset.
 */
export async function clusterMetrics(workers: Worker[], configured: number): Promise<{ contentType: string; text: string }> {
  const answers = await Promise.all(workers.map((worker) => collect(worker)));
  const registries = answers.filter((answer): answer is unknown[] => answer !== null);
  const aggregated = AggregatorRegistry.aggregate(registries);
  const gauge = new Gauge({ name: 'consult_on_cluster_workers', help: 'Workers of this cluster: configured (WEB_CONCURRENCY), and answered (whose metrics this scrape adds up)', labelNames: ['state'], registers: [aggregated] });
  gauge.set({ state: 'configured' }, configured);
  gauge.set({ state: 'answered' }, registries.length);
  return { contentType: aggregated.contentType, text: await aggregated.metrics() };
}

function collect(worker: Worker): Promise<unknown[] | null> {
  const id = nextCollectId++;
  return new Promise((resolve) => {
    const done = (value: unknown[] | null) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (message: unknown) => {
      if (isMessage<MetricsCollectedMessage>(message, METRICS_COLLECTED) && message.id === id) done(message.metrics);
    };
    const onExit = () => done(null);
    const timer = setTimeout(() => done(null), COLLECT_TIMEOUT_MS);
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    const request: MetricsCollectMessage = { type: METRICS_COLLECT, id };
    if (!worker.isConnected()) done(null);
    else worker.send(request, (error: Error | null) => error && done(null));
  });
}
