import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  isClusterWorker,
  isMessage,
  METRICS_COLLECT,
  METRICS_COLLECTED,
  METRICS_SCRAPE,
  METRICS_SCRAPED,
  type MetricsCollectedMessage,
  type MetricsCollectMessage,
  type MetricsScrapedMessage,
  type MetricsScrapeMessage,
} from '../cluster/worker-messages.js';
import { ServerBusyError } from '../common/errors.js';
import type { RefusalCounter } from '../common/refusal-counter.js';
import { MetricsRepository } from './metrics.repository.js';

/** How long a worker waits for the primary's sum of every worker's metrics. */
const CLUSTER_SCRAPE_TIMEOUT_MS = 5_000;

/**
 * Prometheus metrics of this instance (`GET /metrics`). Counters are per process; in cluster mode
 * a scrape answers with the sum of every worker's (the primary adds them up, cluster-metrics.ts),
 * so one scrape of the port is the instance whichever worker takes it. The open holds gauge reads
 * the database at scrape time, so it is the same on every instance and worker.
 */
@Injectable()
export class MetricsService implements RefusalCounter, OnModuleDestroy {
  readonly registry = new Registry();
  private nextScrapeId = 1;

  readonly turns = new Counter({ name: 'consult_on_chat_turns_total', help: 'Chat turns by outcome', labelNames: ['outcome', 'model'], registers: [this.registry] });
  readonly tokensCharged = new Counter({
    name: 'consult_on_tokens_charged_total',
    help: 'Tokens charged for chat turns, by the bucket they came from and the model',
    labelNames: ['bucket', 'model'],
    registers: [this.registry],
  });
  readonly turnsUnrecorded = new Counter({
    name: 'consult_on_chat_turns_unrecorded_total',
    help: 'Turns charged after their reply was delivered whose messages could not be recorded (each is logged with its hold id)',
    registers: [this.registry],
  });
  readonly refusals = new Counter({ name: 'consult_on_refusals_total', help: 'Requests refused, by error code', labelNames: ['code'], registers: [this.registry] });
  readonly requestDuration = new Histogram({
    name: 'consult_on_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly jobRuns = new Counter({ name: 'consult_on_job_runs_total', help: 'Scheduled job runs by job and result', labelNames: ['job', 'result'], registers: [this.registry] });
  readonly jobTicksSkipped = new Counter({ name: 'consult_on_job_ticks_skipped_total', help: 'Scheduled ticks this instance was handed but another had already claimed', labelNames: ['job'], registers: [this.registry] });
  readonly cacheLookups = new Counter({ name: 'consult_on_cache_lookups_total', help: 'Statistics cache lookups', labelNames: ['result'], registers: [this.registry] });
  readonly poolBatches = new Counter({
    name: 'consult_on_pool_batches_total',
    help: "Transactions that wrote members' changes of an organization's pool together: committed, lost (its changes then ran alone), or unknown (the commit did not answer)",
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly poolBatchedChanges = new Counter({
    name: 'consult_on_pool_batched_changes_total',
    help: "Members' changes of a pool (reservations, settlements, voids) decided in committed batches; divided by the committed batches, the mean batch",
    registers: [this.registry],
  });

  constructor(repository: MetricsRepository) {
    collectDefaultMetrics({ register: this.registry, prefix: 'consult_on_' });
    if (isClusterWorker()) process.on('message', this.answerCollect);
    new Gauge({
      name: 'consult_on_open_holds',
      help: 'Open token holds (turns in flight) across the cluster',
      labelNames: ['measure'],
      registers: [this.registry],
      // Every worker reads the same figure from the database: one of them, not their sum.
      aggregator: 'max',
      async collect() {
        try {
          const open = await repository.openHolds();
          this.set({ measure: 'holds' }, open.holds);
          this.set({ measure: 'tokens' }, open.tokens);
        } catch {
          // The database is down: the last figures stay; /health says why.
        }
      },
    });
  }

  countRefusal(code: string): void {
    this.refusals.inc({ code });
  }

  onModuleDestroy(): void {
    process.off('message', this.answerCollect);
  }

  /** The scrape's body: this process's metrics or, in a cluster worker, every worker's added up by the primary. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    if (!isClusterWorker()) return { contentType: this.registry.contentType, text: await this.registry.metrics() };
    const id = this.nextScrapeId++;
    return new Promise((resolve, reject) => {
      const done = (answer: MetricsScrapedMessage | null) => {
        clearTimeout(timer);
        process.off('message', onMessage);
        if (answer) resolve({ contentType: answer.contentType, text: answer.text });
        else reject(new ServerBusyError());
      };
      const onMessage = (message: unknown) => {
        if (isMessage<MetricsScrapedMessage>(message, METRICS_SCRAPED) && message.id === id) done(message);
      };
      const timer = setTimeout(() => done(null), CLUSTER_SCRAPE_TIMEOUT_MS);
      process.on('message', onMessage);
      const request: MetricsScrapeMessage = { type: METRICS_SCRAPE, id };
      process.send!(request);
    });
  }

  /** In a cluster worker: the primary asks for this worker's registry, to add it to the others'. */
  private readonly answerCollect = (message: unknown): void => {
    if (!isMessage<MetricsCollectMessage>(message, METRICS_COLLECT)) return;
    void this.registry
      .getMetricsAsJSON()
      .then((metrics) => {
        const answer: MetricsCollectedMessage = { type: METRICS_COLLECTED, id: message.id, metrics };
        if (process.connected) process.send!(answer);
      })
      // The primary answers the scrape without this worker's figures when it does not hear back.
      .catch(() => undefined);
  };
}
