import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { signWebhook } from './webhook-signature.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

const MAX_ATTEMPTS = 8;
const BATCH = 20;
const REQUEST_TIMEOUT_MS = 5_000;
const CLAIM_LEASE_MS = 60_000;

/** Delay before attempt n+1: 5 s, 10 s, 20 s … capped at one hour. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/**
 * Delivers notifications to NOTIFY_WEBHOOK_URL from the outbox, signed like payment webhooks
 * (`Consult-On-Signature: t=…,v1=HMAC-SHA256("t.body")`). Deliveries are claimed with
 * SKIP LOCKED, so several instances share the work; a failure is retried with backoff.
 */
@Injectable()
export class WebhookDeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryService.name);
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly repository: NotificationsRepository,
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.jobsEnabled || !this.config.notifications.webhookUrl) return;
    this.timer = setInterval(() => void this.deliverDue(), 2_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sends every due delivery once; returns how many were delivered. */
  async deliverDue(): Promise<number> {
    const { webhookUrl, webhookSecret } = this.config.notifications;
    if (!webhookUrl || !webhookSecret || this.running) return 0;
    this.running = true;
    let delivered = 0;
    try {
      const now = this.clock.now();
      // Claiming pushes the next attempt a minute out: a crashed sender's claim lapses by itself.
      const due = await this.deliveries.claimDue(now, new Date(now.getTime() + CLAIM_LEASE_MS), BATCH);
      const rows = new Map((await this.repository.findMany(due.map((row) => row.notificationId))).map((row) => [row.id, row]));
      for (const delivery of due) {
        const notification = rows.get(delivery.notificationId);
        const body = JSON.stringify({ type: 'notification', deliveryId: delivery.id, notification: notification ? this.notifications.toView(notification, 'ko') : null });
        const error = await this.post(webhookUrl, webhookSecret, body);
        if (error === null) {
          delivered += 1;
          await this.deliveries.markDelivered(delivery.id);
        } else if (delivery.attempts >= MAX_ATTEMPTS) {
          this.logger.error({ message: 'webhook delivery gave up', deliveryId: delivery.id, error });
          await this.deliveries.markFailed(delivery.id, error);
        } else {
          await this.deliveries.retryAt(delivery.id, new Date(now.getTime() + backoffMs(delivery.attempts)), error);
        }
      }
    } catch (error) {
      this.logger.warn({ message: 'webhook delivery round failed', error: String(error) });
    } finally {
      this.running = false;
    }
    return delivered;
  }

  private async post(url: string, secret: string, body: string): Promise<string | null> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'consult-on-signature': signWebhook(secret, body, Math.floor(this.clock.now().getTime() / 1_000)) },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      return String((error as Error).message ?? error).slice(0, 200);
    }
  }
}
