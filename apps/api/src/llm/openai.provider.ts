import { Logger } from '@nestjs/common';
import { Agent, request, type Dispatcher } from 'undici';
import { ModelProviderError, ModelTimeoutError, type ModelEvent, type ModelProvider, type ModelTurnRequest } from './model-provider.js';
import { SseDecoder } from './sse-decoder.js';

export interface OpenAiProviderOptions {
  apiKey: string;
  baseUrl: string | null;
  /** Longest wait for the first byte and between two chunks. */
  timeoutMs: number;
}

const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** How long the rest of a body may take after [DONE] before the request is cut off (the answer is whole). */
const AFTER_DONE_MS = 1_000;

/** A chunk of OpenAI's streamed chat completion, as far as a turn reads it. */
interface CompletionChunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  error?: { message?: string };
}

/**
 * Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, a LiteLLM proxy): `POST /chat/completions`
 * streamed, through undici's pooled keep-alive client and a small server-sent-events decoder —
 * a turn's hot path, where the official SDK's per-call work cost a fifth of the API's CPU
 * (BENCHMARKS.md). Streams with `include_usage` so the provider's own count is what gets
 * charged. A connection error before any answer is retried once; nothing is retried after the
 * answer began.
 */
export class OpenAiProvider implements ModelProvider {
  readonly name = 'openai';
  private readonly logger = new Logger(OpenAiProvider.name);
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly agent: Agent;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.url = `${(options.baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, '')}/chat/completions`;
    this.headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', accept: 'text/event-stream' };
    // The idle watchdog below bounds the waits; undici's own timeouts stay out of its way.
    this.agent = new Agent({ keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });
  }

  async *stream(request: ModelTurnRequest): AsyncIterable<ModelEvent> {
    const watchdog = new IdleWatchdog(this.options.timeoutMs, request.signal);
    // [DONE] read: the answer is whole, whatever happens to the rest of the body.
    let done = false;
    let usage = false;
    try {
      const body = await this.open(request, watchdog);
      watchdog.touch();
      const decoder = new SseDecoder();
      // Read to the end after [DONE] too, so that the connection goes back to the pool — for a
      // moment only: a server that holds the body open after it is cut off (AFTER_DONE_MS).
      for await (const bytes of body) {
        if (done) continue;
        watchdog.touch();
        for (const data of decoder.push(bytes as Buffer)) {
          done = data === '[DONE]';
          if (done) {
            watchdog.finishWithin(AFTER_DONE_MS);
            break;
          }
          const chunk = parseChunk(data);
          const text = chunk.choices?.[0]?.delta?.content;
          if (text) yield { type: 'delta', text };
          if (chunk.usage) {
            usage = true;
            yield { type: 'usage', promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
          }
        }
      }
      if (watchdog.timedOut) throw new ModelTimeoutError();
      // A body that ends without [DONE] or the usage was cut off (or was not a stream at all).
      if (!done && !usage) throw new ModelProviderError('the stream ended before it finished');
    } catch (error) {
      if (done) return;
      throw this.translate(error, watchdog);
    } finally {
      watchdog.stop();
    }
  }

  /** The response's body once the provider answered 200; a connection that fails before that is tried once more. */
  private async open(turn: ModelTurnRequest, watchdog: IdleWatchdog): Promise<Dispatcher.ResponseData['body']> {
    const payload = JSON.stringify({
      model: turn.providerModel,
      messages: turn.messages,
      max_tokens: turn.maxCompletionTokens,
      ...(turn.temperature !== undefined ? { temperature: turn.temperature } : {}),
      ...(turn.stop ? { stop: turn.stop } : {}),
      stream: true,
      stream_options: { include_usage: true },
    });
    for (let attempt = 1; ; attempt += 1) {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(this.url, { method: 'POST', headers: this.headers, body: payload, signal: watchdog.signal, dispatcher: this.agent });
      } catch (error) {
        if (attempt >= 2 || watchdog.signal.aborted) throw error;
        this.logger.warn({ message: 'model connection failed, retrying once', error: String(error) });
        continue;
      }
      const type = String(response.headers['content-type'] ?? '').toLowerCase();
      if (response.statusCode === 200 && type.startsWith('text/event-stream')) return response.body;
      // Not a stream (an error, or a proxy's page). Its body is not logged — an error may echo the
      // request, the person's words — and is read at most 128 KB before the connection is dropped.
      await response.body.dump().catch(() => undefined);
      this.logger.warn({ message: 'model answered without a stream', status: response.statusCode, contentType: type });
      throw new ModelProviderError(response.statusCode === 200 ? `not a stream (${type || 'no content type'})` : `HTTP ${response.statusCode}`);
    }
  }

  private translate(error: unknown, watchdog: IdleWatchdog): unknown {
    if (error instanceof ModelProviderError || error instanceof ModelTimeoutError) return error;
    if (watchdog.timedOut) return new ModelTimeoutError();
    // The client went away: not the provider's failure; the caller decides what to charge.
    if ((error as Error)?.name === 'AbortError') return error;
    return new ModelProviderError(String((error as Error)?.message ?? error).slice(0, 200));
  }
}

function parseChunk(data: string): CompletionChunk {
  let chunk: CompletionChunk;
  try {
    chunk = JSON.parse(data) as CompletionChunk;
  } catch {
    throw new ModelProviderError('malformed stream');
  }
  if (chunk?.error) throw new ModelProviderError(String(chunk.error.message ?? 'error in stream').slice(0, 200));
  return chunk;
}

/** Aborts a request that stays silent for longer than the timeout, and follows the caller's signal. */
class IdleWatchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  timedOut = false;

  constructor(
    private readonly timeoutMs: number,
    parent: AbortSignal,
  ) {
    if (parent.aborted) this.controller.abort();
    else parent.addEventListener('abort', () => this.controller.abort(), { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
    this.timer.unref();
  }

  /** The answer is whole: whatever is left of the body gets `ms`, then the request is cut off (not a timeout). */
  finishWithin(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(), ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
