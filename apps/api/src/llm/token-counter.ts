import { availableParallelism } from 'node:os';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { ServerBusyError } from '../common/errors.js';
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

/**
 * Counts tokens with the real tokenizer: short texts at once, long ones in a pool of worker
 * threads (one per core but one, kept for the event loop) with a bounded queue.
 */
@Injectable()
export class TokenCounter implements OnApplicationShutdown {
  private pool: Piscina | null = null;

  /** The token count of each text. */
  async count(texts: readonly string[]): Promise<number[]> {
    if (!texts.some(isLongText)) return texts.map(countTextTokens);
    const pool = (this.pool ??= new Piscina({
      filename: new URL('./token-count.js', import.meta.url).href,
      minThreads: 0,
      maxThreads: Math.max(1, availableParallelism() - 1),
      idleTimeout: 30_000,
    }));
    // Checked and queued in one synchronous step, so the queue never grows past the bound.
    if (pool.queueSize >= MAX_QUEUED_COUNTS) throw new ServerBusyError();
    return (await pool.run(texts)) as number[];
  }

  async countOne(text: string): Promise<number> {
    return (await this.count([text]))[0]!;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.destroy();
    this.pool = null;
  }
}
