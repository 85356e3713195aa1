import cluster from 'node:cluster';
import type { ServerFacts } from '../startup-banner.js';

/** Set in the environment of the workers our primary forks (ClusterPrimary), and only there. */
export const CLUSTER_WORKER_ENV = 'CONSULT_ON_CLUSTER_WORKER';

/**
 * Whether this process is a worker of cluster mode's primary (ClusterPrimary) — not merely a
 * cluster worker: a process manager's own cluster (PM2's) forks workers whose primary knows
 * none of these messages, and each must then act as a process of its own.
 */
export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env[CLUSTER_WORKER_ENV] === '1';
}

/** What a worker tells the primary over the cluster's IPC channel once it serves requests. */
export const WORKER_READY = 'consult-on:worker-ready';

/** The facts of the start-up banner, which the primary prints once for all workers. */
export interface WorkerReadyMessage extends ServerFacts {
  type: typeof WORKER_READY;
}

/**
 * `/metrics` in cluster mode: the worker that takes a scrape asks the primary (SCRAPE), the
 * primary asks every worker for its registry (COLLECT → COLLECTED) and answers with the sum (SCRAPED).
 */
export const METRICS_SCRAPE = 'consult-on:metrics-scrape';
export const METRICS_SCRAPED = 'consult-on:metrics-scraped';
export const METRICS_COLLECT = 'consult-on:metrics-collect';
export const METRICS_COLLECTED = 'consult-on:metrics-collected';

export interface MetricsScrapeMessage {
  type: typeof METRICS_SCRAPE;
  id: number;
}

export interface MetricsScrapedMessage {
  type: typeof METRICS_SCRAPED;
  id: number;
  contentType: string;
  text: string;
}

export interface MetricsCollectMessage {
  type: typeof METRICS_COLLECT;
  id: number;
}

export interface MetricsCollectedMessage {
  type: typeof METRICS_COLLECTED;
  id: number;
  /** The worker's registry as prom-client's getMetricsAsJSON gives it. */
  metrics: unknown[];
}

export function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/**
 * A worker forgot a cached row (`key`) or a whole cache (`key` null) because it changed it: the
 * primary passes it on to every other worker, which forgets it too (the session and key caches'
 * "at once on this instance" holds for all of its workers).
 */
export const CACHE_FORGET = 'consult-on:cache-forget';

export interface CacheForgetMessage {
  type: typeof CACHE_FORGET;
  cache: string;
  key: string | null;
}
