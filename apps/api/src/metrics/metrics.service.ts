import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RefusalCounter } from '../common/refusal-counter.js';
import { MetricsRepository } from './metrics.repository.js';

/**
 * Prometheus metrics of this instance (`GET /metrics`). Counters are per process; the open
 * holds gauge reads the database at scrape time, so it is the same on every instance.
 */
@Injectable()
export class MetricsService implements RefusalCounter {
  readonly registry = new Registry();

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
    new Gauge({
      name: 'consult_on_open_holds',
      help: 'Open token holds (turns in flight) across the cluster',
      labelNames: ['measure'],
      registers: [this.registry],
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
}
