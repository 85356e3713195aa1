import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { ClientClosedError, ServerBusyError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { ChatMessage } from './model-provider.js';
import { countTextTokens } from './token-count.js';

export { countTextTokens };

/** Tokens the chat format adds around each message and to prime the reply (OpenAI's published figures). */
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY = 3;

/**
 * Texts up to this many UTF-8 bytes are counted on the event loop: a token is at least one byte,
 * so that is at most ~1,000 tokens (a few milliseconds in the worst case, emoji). Longer ones go
 * to the worker pool, so one request can never hold the event loop for long.
 */
export const INLINE_COUNT_BYTES = 1_024;
/** Counting tasks that may wait for a worker; past that a request is refused with 503 SERVER_BUSY. */
const MAX_QUEUED_COUNTS = 64;
/** Long counts one user may have queued or running at once. */
const MAX_COUNTS_PER_USER = 2;

/** The prompt tokens of a conversation as sent to the model, given each message's content tokens. */
export function promptTokensOf(contentTokens: readonly number[]): number {
  return contentTokens.reduce((total, tokens) => total + TOKENS_PER_MESSAGE + tokens, TOKENS_PER_REPLY);
}

/** The prompt tokens of a conversation, counted on the calling thread (short texts and tests only). */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  return promptTokensOf(messages.map((message) => countTextTokens(message.content)));
}

/** Whether a text is long enough that counting its tokens belongs off the event loop. */
export function isLongText(text: string): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most texts are decided without measuring.
  return text.length * 3 > INLINE_COUNT_BYTES && Buffer.byteLength(text, 'utf8') > INLINE_COUNT_BYTES;
}

/** Who asks for a count: requests are bounded per user; a finished turn's count never is. */
export type CountRequest = { owner: string; signal?: AbortSignal } | { charging: true };

/**
 * Counts tokens with the real tokenizer: short texts at once, long ones in a small pool of
 * worker threads (CHAT_TOKEN_COUNT_THREADS) with a bounded queue and a bound per user, so one
 * user can neither hold the event loop nor fill the queue for everyone. A count the charge of a
 * delivered reply depends on is never refused.
 */
@Injectable()
export class TokenCounter implements OnApplicationShutdown {
  private pool: Piscina | null = null;
  private closed = false;
  private readonly inFlight = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The token count of each text; 503 SERVER_BUSY when the queue, or this user's share of it, is full. */
  async count(texts: readonly string[], request: CountRequest): Promise<number[]> {
    // Short texts, and any text once the application is closing (no new pool), on this thread.
    if (!texts.some(isLongText) || this.closed) return texts.map(countTextTokens);
    const pool = (this.pool ??= new Piscina({
      filename: new URL('./token-count.js', import.meta.url).href,
      // Kept warm once used: starting a worker and loading the tokenizer takes ~0.4 s.
      minThreads: this.config.chat.tokenCountThreads,
      maxThreads: this.config.chat.tokenCountThreads,
      idleTimeout: 300_000,
    }));
    if ('charging' in request) return (await pool.run(texts)) as number[];
    // A request whose client left is not queued; one already running is left to finish, since
    // aborting a running task ends its worker and the next count would wait for a new one.
    if (request.signal?.aborted) throw new ClientClosedError();
    const owned = this.inFlight.get(request.owner) ?? 0;
    // Checked and queued in one synchronous step, so neither bound is ever passed.
    if (pool.queueSize >= MAX_QUEUED_COUNTS || owned >= MAX_COUNTS_PER_USER) throw new ServerBusyError();
    this.inFlight.set(request.owner, owned + 1);
    try {
      return (await pool.run(texts)) as number[];
    } finally {
      const left = (this.inFlight.get(request.owner) ?? 1) - 1;
      if (left > 0) this.inFlight.set(request.owner, left);
      else this.inFlight.delete(request.owner);
    }
  }

  async countOne(text: string, request: CountRequest): Promise<number> {
    return (await this.count([text], request))[0]!;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.pool?.destroy();
    this.pool = null;
  }
}
