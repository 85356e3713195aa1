import type { UsageLevel } from '@consult-on/quota-policy';
import type { components } from './openapi';

type Schemas = components['schemas'];

/**
 * The body of every error: a stable `code`, a message in the client's language, and details that
 * depend on the code (a validation failure's `fields`, an exhausted quota's balances). The document
 * does not describe it: the API's one exception filter writes it for every route.
 */
export interface ErrorBody {
  code: string;
  message: string;
  [detail: string]: unknown;
}

/** `usage` of the chat stream: the finished turn as POST /api/chat/send answers it, without the reply text already streamed. */
export type ChatTurnUsage = Omit<Schemas['TurnView'], 'content'>;

/**
 * The events of POST /api/chat/stream, in the order they come: one `start`, `delta`s, one `usage`
 * and `done` — or `error` once the stream has begun (a refusal before it is an ordinary JSON error).
 * A repeated Idempotency-Key replays the stored turn (`maxCompletionTokens` 0, `done.replayed`).
 */
export type ChatStreamEvent =
  | { event: 'start'; data: { conversationId: string; model: string; maxCompletionTokens: number } }
  | { event: 'delta'; data: { text: string } }
  | { event: 'usage'; data: ChatTurnUsage }
  | { event: 'done'; data: { replayed?: boolean } }
  | { event: 'error'; data: ErrorBody };

/** `usage` of the notification stream: the account's new level, written when a ledger change moved it. */
export interface UsageChange {
  level: UsageLevel;
  usagePercent: number;
  remainingTokens: number;
  periodKey: string;
}

/**
 * The events of GET /api/notifications/stream. `notification` and `usage` carry an SSE id (for
 * Last-Event-ID); `closed` is the server ending the stream: `replaced` by a newer stream of the
 * same user (do not reconnect) or `shutdown` of the instance (reconnect).
 */
export type NotificationStreamEvent =
  | { event: 'notification'; data: Schemas['NotificationView'] }
  | { event: 'usage'; data: UsageChange }
  | { event: 'closed'; data: { reason: 'replaced' | 'shutdown' } };

const CHAT_EVENTS: ReadonlySet<string> = new Set<ChatStreamEvent['event']>(['start', 'delta', 'usage', 'done', 'error']);
const NOTIFICATION_EVENTS: ReadonlySet<string> = new Set<NotificationStreamEvent['event']>(['notification', 'usage', 'closed']);

function parseData(event: string, data: string): object {
  const parsed: unknown = JSON.parse(data);
  if (typeof parsed !== 'object' || parsed === null) throw new SyntaxError(`the data of a '${event}' event is not a JSON object`);
  return parsed;
}

/**
 * One event of the chat stream from its SSE `event` and `data` fields; null for an event this
 * contract does not know (ignored, so a newer server can add events). The data is trusted to
 * have the documented shape; JSON that is not an object throws.
 */
export function parseChatEvent(event: string, data: string): ChatStreamEvent | null {
  if (!CHAT_EVENTS.has(event)) return null;
  return { event, data: parseData(event, data) } as ChatStreamEvent;
}

/** One event of the notification stream, as `parseChatEvent` does for the chat's. */
export function parseNotificationEvent(event: string, data: string): NotificationStreamEvent | null {
  if (!NOTIFICATION_EVENTS.has(event)) return null;
  return { event, data: parseData(event, data) } as NotificationStreamEvent;
}
