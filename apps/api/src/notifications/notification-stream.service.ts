import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Locale } from '@consult-on/quota-policy';
import { StreamsExhaustedError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { NotificationView } from './notifications.dto.js';
import { NotificationsRepository, type UserEventRow } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';

export interface StreamEvent {
  id: number;
  event: 'notification' | 'usage';
  data: NotificationView | Record<string, unknown>;
}

/** One connection as the service drives it; the controller maps it onto the HTTP response. */
export interface StreamClient {
  /** Aborts when the connection closes; the subscription then lets go of everything it holds. */
  signal: AbortSignal;
  /** Starts the response (SSE headers); called only once the stream is admitted. */
  open(): void;
  send(event: StreamEvent): void;
  heartbeat(): void;
  /**
   * Ends the response from the server's side: `replaced` when a newer stream of the same user
   * took its place (the client should not reconnect, or its tabs would displace each other in
   * turn), `shutdown` when this instance stops (the client reconnects, to another instance).
   */
  end(reason: 'replaced' | 'shutdown'): void;
}

interface Subscriber {
  userId: string;
  locale: Locale;
  client: StreamClient;
  sent: Set<number>;
  heartbeat: NodeJS.Timeout;
  /** Polls pass it by until its Last-Event-ID replay is written, so events arrive in order. */
  replaying: boolean;
}

const POLL_INTERVAL_MS = 500;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** Events are re-read for this long, so one committed after a later-numbered one still arrives. */
const LOOKBACK_SECONDS = 10;

/**
 * Live notifications for connected browsers. Every instance polls the `user_events` outbox for
 * its own subscribers, so an event written by any instance (or the sweep) reaches the browser
 * wherever its connection landed — no shared memory between instances is needed.
 *
 * A subscription owns its heartbeat and is released when its connection closes. Streams are
 * capped per user (a new one closes that user's oldest) and per instance (a new one is refused).
 */
@Injectable()
export class NotificationStreamService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationStreamService.name);
  /** Open subscriptions of each user, oldest first. */
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private streams = 0;
  private heartbeats = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private shuttingDown = false;

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What this instance holds right now, for tests and metrics. */
  get activity(): { streams: number; heartbeats: number; polling: boolean } {
    return { streams: this.streams, heartbeats: this.heartbeats, polling: this.timer !== null };
  }

  /**
   * Serves a connection until `client.signal` aborts: what it missed after `lastEventId`, then
   * live events. The subscription and its release on close are registered before the first
   * await, so a client that leaves during the replay leaves nothing running. Throws
   * StreamsExhaustedError, before `client.open`, when this instance has no room or is shutting down.
   */
  async subscribe(userId: string, locale: Locale, lastEventId: number | null, client: StreamClient): Promise<void> {
    if (client.signal.aborted) return;
    const own = this.subscribers.get(userId) ?? new Set<Subscriber>();
    // Replacing the user's oldest stream does not add one, so it is allowed on a full instance.
    const displaced = own.size >= this.config.notifications.streamsPerUser ? own.values().next().value! : null;
    if (this.shuttingDown || (!displaced && this.streams >= this.config.notifications.streamsPerInstance)) throw new StreamsExhaustedError();
    if (displaced) this.close(displaced, 'replaced');

    const subscriber: Subscriber = {
      userId,
      locale,
      client,
      sent: new Set(),
      heartbeat: setInterval(() => client.heartbeat(), HEARTBEAT_MS),
      replaying: lastEventId !== null,
    };
    this.heartbeats += 1;
    own.add(subscriber);
    this.subscribers.set(userId, own);
    this.streams += 1;
    this.timer ??= setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    client.signal.addEventListener('abort', () => this.remove(subscriber), { once: true });
    client.open();
    if (lastEventId === null) return;
    try {
      const missed = await this.repository.eventsAfter(userId, lastEventId, 200);
      for (const event of await this.render(missed, locale)) this.deliver(subscriber, event);
    } catch (error) {
      this.remove(subscriber);
      throw error;
    }
    subscriber.replaying = false;
  }

  /** Ends every stream: the HTTP server cannot close while one is open. */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
    for (const own of [...this.subscribers.values()]) for (const subscriber of [...own]) this.close(subscriber, 'shutdown');
  }

  /** Ends a stream from the server's side. */
  private close(subscriber: Subscriber, reason: 'replaced' | 'shutdown'): void {
    this.remove(subscriber);
    subscriber.client.end(reason);
  }

  /** Releases a subscription and, with the last one, the poll; a second call does nothing. */
  private remove(subscriber: Subscriber): void {
    const own = this.subscribers.get(subscriber.userId);
    if (!own?.delete(subscriber)) return;
    if (own.size === 0) this.subscribers.delete(subscriber.userId);
    this.streams -= 1;
    clearInterval(subscriber.heartbeat);
    this.heartbeats -= 1;
    if (this.streams === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private deliver(subscriber: Subscriber, event: StreamEvent): void {
    // A render awaited in between: the connection may have closed since.
    if (!this.subscribers.get(subscriber.userId)?.has(subscriber) || subscriber.sent.has(event.id)) return;
    subscriber.sent.add(event.id);
    if (subscriber.sent.size > 1_000) subscriber.sent.delete(subscriber.sent.values().next().value!);
    subscriber.client.send(event);
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
          if (subscriber.replaying) continue;
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
