import cluster, { type Worker } from 'node:cluster';
import type { LoggerService } from '@nestjs/common';
import { RESTART_POLICY, restartAfterExit, type RestartPolicy } from './restart-backoff.js';
import { clusterMetrics } from './cluster-metrics.js';
import {
  CACHE_FORGET,
  CLUSTER_WORKER_ENV,
  isMessage,
  METRICS_SCRAPE,
  METRICS_SCRAPED,
  WORKER_READY,
  type CacheForgetMessage,
  type MetricsScrapedMessage,
  type MetricsScrapeMessage,
  type WorkerReadyMessage,
} from './worker-messages.js';

export interface ClusterStarted {
  /** The first worker's facts (every worker has the same configuration). */
  ready: WorkerReadyMessage;
  workerPids: number[];
  startedMs: number;
}

export interface ClusterPrimaryOptions {
  workers: number;
  logger: LoggerService | false;
  /** Called once, when every worker listens for the first time: the banner. */
  onStarted(started: ClusterStarted): void;
  policy?: RestartPolicy;
  /** How long the workers get to finish their requests after SIGTERM before they are killed. */
  shutdownGraceMs?: number;
}

/** One place in the pool of workers: its worker comes and goes, its history of quick exits stays. */
interface Slot {
  index: number;
  worker: Worker | null;
  forkedAt: number;
  ready: boolean;
  quickExitsInARow: number;
  restartTimer: NodeJS.Timeout | null;
}

const CONTEXT = 'ClusterPrimary';
const SHUTDOWN_GRACE_MS = 30_000;

/**
 * The primary process of cluster mode: it serves nothing itself. It forks `workers` workers, each
 * of which runs the whole server on the same port (the primary accepts connections and hands them
 * out in turn). Until every worker has started once, a worker that exits is a failed start: the
 * primary stops the others and exits 1, as a single process would. After that, a worker that exits
 * is replaced (restart-backoff.ts says when). SIGTERM or SIGINT stops the workers gracefully (their
 * shutdown hooks finish the requests in flight), and the primary exits when the last one has.
 */
export class ClusterPrimary {
  private readonly slots: Slot[];
  private readonly policy: RestartPolicy;
  private readonly startedAt = performance.now();
  private started = false;
  private stopping = false;
  private exitCode = 0;

  constructor(private readonly options: ClusterPrimaryOptions) {
    this.policy = options.policy ?? RESTART_POLICY;
    this.slots = Array.from({ length: options.workers }, (_, index) => ({ index: index + 1, worker: null, forkedAt: 0, ready: false, quickExitsInARow: 0, restartTimer: null }));
  }

  start(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => this.stop(signal));
    for (const slot of this.slots) this.fork(slot);
  }

  private fork(slot: Slot): void {
    slot.restartTimer = null;
    const worker = cluster.fork({ [CLUSTER_WORKER_ENV]: '1' });
    slot.worker = worker;
    slot.forkedAt = Date.now();
    slot.ready = false;
    worker.on('message', (message: unknown) => {
      if (isMessage<WorkerReadyMessage>(message, WORKER_READY)) this.ready(slot, worker, message);
      else if (isMessage<MetricsScrapeMessage>(message, METRICS_SCRAPE)) void this.answerScrape(worker, message.id);
      else if (isMessage<CacheForgetMessage>(message, CACHE_FORGET)) this.passOn(worker, message);
    });
    worker.on('exit', (code, signal) => this.exited(slot, worker, code, signal));
    // A message to a worker whose channel just closed (it died a moment ago) fails here, not in
    // an uncaught exception that would take the primary and every worker down with it.
    worker.on('error', (error: unknown) => this.log('warn', { message: 'worker channel error', worker: slot.index, error: String(error) }));
  }

  /** A cache entry one worker forgot: every other worker forgets it too. */
  private passOn(from: Worker, message: CacheForgetMessage): void {
    for (const slot of this.slots) {
      if (slot.worker && slot.worker !== from && slot.worker.isConnected()) slot.worker.send(message, undefined, () => undefined);
    }
  }

  private ready(slot: Slot, worker: Worker, message: WorkerReadyMessage): void {
    slot.ready = true;
    if (this.started) {
      this.log('log', { message: 'worker replaced', worker: slot.index, pid: worker.process.pid });
      return;
    }
    if (!this.slots.every((each) => each.ready)) return;
    this.started = true;
    this.options.onStarted({
      ready: message,
      workerPids: this.slots.map((each) => each.worker?.process.pid ?? 0),
      startedMs: Math.round(performance.now() - this.startedAt),
    });
  }

  /** A worker took a scrape of /metrics: it answers with every ready worker's metrics added up. */
  private async answerScrape(worker: Worker, id: number): Promise<void> {
    try {
      const workers = this.slots.filter((slot) => slot.ready && slot.worker).map((slot) => slot.worker!);
      const { contentType, text } = await clusterMetrics(workers, this.options.workers);
      const answer: MetricsScrapedMessage = { type: METRICS_SCRAPED, id, contentType, text };
      if (worker.isConnected()) worker.send(answer, undefined, () => undefined);
    } catch (error) {
      this.log('error', { message: 'could not add up the workers metrics', error: String(error) });
    }
  }

  private exited(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    slot.ready = false;
    const pid = worker.process.pid;
    if (this.stopping) {
      this.finishWhenAllExited();
      return;
    }
    if (!this.started) {
      this.log('error', { message: 'a worker failed to start: stopping the others', worker: slot.index, pid, code, signal });
      this.exitCode = 1;
      this.stop('a failed start');
      return;
    }
    const decision = restartAfterExit(Date.now() - slot.forkedAt, slot.quickExitsInARow, this.policy);
    slot.quickExitsInARow = decision.quickExitsInARow;
    this.log(decision.quickExitsInARow > 1 ? 'error' : 'warn', {
      message: 'worker exited: replacing it',
      worker: slot.index,
      pid,
      code,
      signal,
      restartInMs: decision.delayMs,
      quickExitsInARow: decision.quickExitsInARow,
    });
    slot.restartTimer = setTimeout(() => this.fork(slot), decision.delayMs);
  }

  private stop(reason: NodeJS.Signals | 'a failed start'): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log('log', { message: 'stopping the workers', reason });
    for (const slot of this.slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
      // A second signal (a terminal's Ctrl-C reaches the workers too) is ignored by a worker already shutting down.
      slot.worker?.process.kill('SIGTERM');
    }
    setTimeout(() => {
      for (const slot of this.slots) {
        if (!slot.worker) continue;
        this.log('error', { message: 'worker did not stop in time: killing it', worker: slot.index, pid: slot.worker.process.pid });
        slot.worker.process.kill('SIGKILL');
      }
    }, this.options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS).unref();
    this.finishWhenAllExited();
  }

  private finishWhenAllExited(): void {
    if (this.slots.some((slot) => slot.worker !== null)) return;
    this.log('log', { message: 'all workers stopped' });
    process.exit(this.exitCode);
  }

  private log(level: 'log' | 'warn' | 'error', fields: Record<string, unknown>): void {
    if (this.options.logger) this.options.logger[level](fields, CONTEXT);
  }
}
