import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Queue, Worker, type Job } from 'bullmq';
import { CronJob } from 'cron';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { JobRunsRepository } from './job-runs.repository.js';

export interface ScheduledJob {
  name: string;
  /** Cron pattern (5 fields, or 6 with seconds) and its time zone. */
  pattern: string;
  timeZone: string;
  /** The work itself: an ordinary service method, safe to call by hand. */
  run(): Promise<Record<string, unknown>>;
}

export interface JobRunResult {
  job: string;
  tick: string;
  ran: boolean;
  result: Record<string, unknown> | null;
  durationMs: number;
}

/**
 * Runs each scheduled job once per tick across all instances. With Redis, a BullMQ job
 * scheduler enqueues one job per tick and one worker takes it (retried with backoff when it
 * fails). Without Redis, each instance's in-process cron fires. Either way the tick is first
 * claimed in `job_runs` (primary key job + tick), so even several instances without Redis, or
 * a retried delivery, run a tick once.
 */
@Injectable()
export class JobSchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobSchedulerService.name);
  private readonly jobs = new Map<string, ScheduledJob>();
  private readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private queue: Queue | null = null;
  private worker: Worker | null = null;
  private connections: Redis[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: JobRunsRepository,
    private readonly registry: SchedulerRegistry,
    private readonly metrics: MetricsService,
  ) {}

  register(job: ScheduledJob): void {
    this.jobs.set(job.name, job);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.jobsEnabled || this.jobs.size === 0) return;
    if (this.config.redis.url) await this.startBullmq(this.config.redis.url);
    else this.startInProcess();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    for (const connection of this.connections) connection.disconnect();
  }

  /** Runs a job now, outside the schedule (admin trigger, tests). */
  runNow(name: string): Promise<JobRunResult> {
    return this.runTick(name, new Date(), 'manual');
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  /** Claims the tick, runs the job, records the outcome; a failed run frees its tick for the retry. */
  async runTick(name: string, tick: Date, trigger: 'schedule' | 'manual'): Promise<JobRunResult> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown job ${name}`);
    const started = performance.now();
    if (!(await this.runs.claim({ job: name, tick, instance: this.instance, trigger }))) {
      if (trigger === 'schedule') this.metrics.jobTicksSkipped.inc({ job: name });
      return { job: name, tick: tick.toISOString(), ran: false, result: null, durationMs: 0 };
    }
    try {
      const result = await job.run();
      await this.runs.finish(name, tick, result);
      this.metrics.jobRuns.inc({ job: name, result: 'success' });
      const durationMs = Math.round(performance.now() - started);
      this.logger.log({ message: 'job ran', job: name, tick: tick.toISOString(), trigger, durationMs, ...result });
      return { job: name, tick: tick.toISOString(), ran: true, result, durationMs };
    } catch (error) {
      this.logger.error({ message: 'job failed', job: name, tick: tick.toISOString(), error: String(error) });
      this.metrics.jobRuns.inc({ job: name, result: 'failure' });
      await this.runs.release(name, tick).catch(() => undefined);
      throw error;
    }
  }

  private async upsertSchedules(): Promise<void> {
    for (const job of this.jobs.values()) {
      await this.queue!.upsertJobScheduler(
        job.name,
        { pattern: job.pattern, tz: job.timeZone },
        { name: job.name, opts: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: 200, removeOnFail: 200 } },
      );
    }
  }

  private startInProcess(): void {
    for (const job of this.jobs.values()) {
      const cron = CronJob.from({
        cronTime: job.pattern,
        timeZone: job.timeZone,
        start: true,
        onTick: () => {
          const tick = new Date(Math.floor(Date.now() / 1_000) * 1_000);
          this.runTick(job.name, tick, 'schedule').catch(() => undefined);
        },
      });
      this.registry.addCronJob(job.name, cron as never);
    }
    this.logger.log({ message: 'jobs scheduled in process', jobs: [...this.jobs.keys()] });
  }

  private async startBullmq(url: string): Promise<void> {
    const connect = () => {
      const connection = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
      connection.on('error', () => undefined);
      this.connections.push(connection);
      return connection;
    };
    const prefix = `${this.config.redis.keyPrefix}bull`;
    const queueConnection = connect();
    this.queue = new Queue('scheduled-jobs', { connection: queueConnection, prefix });
    this.queue.on('error', () => undefined);
    await this.upsertSchedules();
    // A Redis that lost its data (restarted without persistence) forgets the schedules: put
    // them back whenever the connection comes back. Upserting is idempotent.
    let connected = true;
    queueConnection.on('close', () => (connected = false));
    queueConnection.on('ready', () => {
      if (connected) return;
      connected = true;
      this.upsertSchedules().catch((error: unknown) => this.logger.warn({ message: 'could not restore job schedules', error: String(error) }));
    });
    this.worker = new Worker(
      'scheduled-jobs',
      async (job: Job) => {
        const tick = new Date(Number(job.opts.prevMillis ?? /:(\d+)$/.exec(job.id ?? '')?.[1] ?? Date.now()));
        return this.runTick(job.name, tick, 'schedule');
      },
      { connection: connect(), prefix, concurrency: 1 },
    );
    this.worker.on('error', (error) => this.logger.warn({ message: 'job worker error', error: String(error) }));
    this.logger.log({ message: 'jobs scheduled with BullMQ', jobs: [...this.jobs.keys()] });
  }
}
