import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle } from '../database/database.js';

export interface DueDelivery {
  id: number;
  notificationId: string;
  /** Attempts so far, this one included. */
  attempts: number;
}

/** The webhook outbox (`webhook_deliveries`), claimed with SKIP LOCKED so instances share it. */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /**
   * Claims up to `limit` deliveries due at `now`, counting the attempt and pushing the next one
   * to `leaseUntil`: a crashed sender's claim lapses by itself.
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<DueDelivery[]> {
    return rowsOf<DueDelivery>(
      await this.database.db.execute(sql`
        update webhook_deliveries set attempts = attempts + 1, next_attempt_at = ${leaseUntil.toISOString()}::timestamptz
        where id in (
          select id from webhook_deliveries
          where delivered_at is null and failed_at is null and next_attempt_at <= ${now.toISOString()}::timestamptz
          order by next_attempt_at limit ${limit} for update skip locked)
        returning id, notification_id as "notificationId", attempts`),
    );
  }

  async markDelivered(id: number): Promise<void> {
    await this.database.db.execute(sql`update webhook_deliveries set delivered_at = now(), last_error = null where id = ${id}`);
  }

  /** Gives up on a delivery: it is not tried again. */
  async markFailed(id: number, error: string): Promise<void> {
    await this.database.db.execute(sql`update webhook_deliveries set failed_at = now(), last_error = ${error} where id = ${id}`);
  }

  async retryAt(id: number, next: Date, error: string): Promise<void> {
    await this.database.db.execute(sql`update webhook_deliveries set next_attempt_at = ${next.toISOString()}::timestamptz, last_error = ${error} where id = ${id}`);
  }
}
