import { Inject, Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor } from '../database/database.js';
import { paymentEvents, payments, type PaymentStatus } from '../database/schema.js';

export type PaymentRow = typeof payments.$inferSelect;

@Injectable()
export class PaymentsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  async insert(
    executor: Executor,
    payment: { userId: string; packageId: string; tokens: number; amountKrw: number; provider: string; status: PaymentStatus; now: Date },
  ): Promise<PaymentRow> {
    const { now, ...values } = payment;
    const [row] = await executor
      .insert(payments)
      .values({ ...values, createdAt: now, paidAt: payment.status === 'PAID' ? now : null })
      .returning();
    return row!;
  }

  async lock(executor: Executor, paymentId: string): Promise<PaymentRow | null> {
    const [row] = await executor.select().from(payments).where(eq(payments.id, paymentId)).for('update');
    return row ?? null;
  }

  async setStatus(executor: Executor, paymentId: string, status: PaymentStatus, now: Date): Promise<void> {
    await executor
      .update(payments)
      .set({ status, ...(status === 'PAID' ? { paidAt: now } : {}) })
      .where(eq(payments.id, paymentId));
  }

  /** Records a webhook event; false when it was seen before. */
  async recordEvent(executor: Executor, event: { eventId: string; paymentId: string; type: string }): Promise<boolean> {
    const inserted = await executor.insert(paymentEvents).values(event).onConflictDoNothing().returning({ eventId: paymentEvents.eventId });
    return inserted.length > 0;
  }
}
