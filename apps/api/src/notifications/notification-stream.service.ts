import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Locale } from '@consult-on/quota-policy';
import type { NotificationView } from './notifications.dto.js';
import { NotificationsRepository, type UserEventRow } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';

export interface StreamEvent {
  id: number;
  event: 'notification' | 'usage';
  data: NotificationView | Record<string, unknown>;
}

interface Subscriber {
  userId: string;
  locale: Locale;
  sent: Set<number>;
  send(event: StreamEvent): void;
}

const POLL_INTERVAL_MS = 500;
/** Events are re-read for this long, so one committed after a later-numbered one still arrives. */
const LOOKBACK_SECONDS = 10;

/**
 * Live notifications for connected browsers. Every instance polls the `user_events` outbox for
 * its own subscribers, so an event written by any instance (or the sweep) reaches the browser
 * wherever its connection landed — no shared memory between instances is needed.
 */
@Injectable()
export class NotificationStreamService implements OnApplicationShutdown {
  private readonly logger = new Logger(NotificationStreamService.name);
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly notifications: NotificationsService,
  ) {}

  /** Registers a connection; replays what it missed after `lastEventId`. Returns the unsubscribe. */
  async subscribe(userId: string, locale: Locale, lastEventId: number | null, send: (event: StreamEvent) => void): Promise<() => void> {
    const subscriber: Subscriber = { userId, locale, sent: new Set(), send };
    if (lastEventId !== null) {
      const missed = await this.repository.eventsAfter(userId, lastEventId, 200);
      for (const event of await this.render(missed, locale)) this.deliver(subscriber, event);
    }
    const set = this.subscribers.get(userId) ?? new Set<Subscriber>();
    set.add(subscriber);
    this.subscribers.set(userId, set);
    this.timer ??= setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    return () => {
      set.delete(subscriber);
      if (set.size === 0) this.subscribers.delete(userId);
      if (this.subscribers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private deliver(subscriber: Subscriber, event: StreamEvent): void {
    if (subscriber.sent.has(event.id)) return;
    subscriber.sent.add(event.id);
    if (subscriber.sent.size > 1_000) subscriber.sent.delete(subscriber.sent.values().next().value!);
    subscriber.send(event);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.subscribers.size === 0) return;
    this.polling = true;
    try {
      const events = await this.repository.recentEvents([...this.subscribers.keys()], LOOKBACK_SECONDS);
      const byUser = new Map<string, UserEventRow[]>();
      for (const event of events) byUser.set(event.userId, [...(byUser.get(event.userId) ?? []), event]);
      for (const [userId, userEvents] of byUser) {
        for (const subscriber of this.subscribers.get(userId) ?? []) {
          const fresh = userEvents.filter((event) => !subscriber.sent.has(event.seq));
          for (const event of await this.render(fresh, subscriber.locale)) this.deliver(subscriber, event);
        }
      }
    } catch (error) {
      this.logger.warn({ message: 'notification poll failed', error: String(error) });
    } finally {
      this.polling = false;
    }
  }

  private async render(events: UserEventRow[], locale: Locale): Promise<StreamEvent[]> {
    const ids = events.flatMap((event) => (event.type === 'notification' ? [String(event.payload.id)] : []));
    const rows = new Map((await this.repository.findMany(ids)).map((row) => [row.id, row]));
    return events.flatMap((event): StreamEvent[] => {
      if (event.type === 'usage') return [{ id: event.seq, event: 'usage', data: event.payload }];
      const row = rows.get(String(event.payload.id));
      return row ? [{ id: event.seq, event: 'notification', data: this.notifications.toView(row, locale) }] : [];
    });
  }
}
