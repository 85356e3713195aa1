import { Logger } from '@nestjs/common';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError } from 'openai';
import { ModelProviderError, ModelTimeoutError, type ModelEvent, type ModelProvider, type ModelTurnRequest } from './model-provider.js';

export interface OpenAiProviderOptions {
  apiKey: string;
  baseUrl: string | null;
  /** Longest wait for the first byte and between two chunks. */
  timeoutMs: number;
}

/**
 * Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, a LiteLLM proxy) through the official SDK.
 * Streams with `include_usage` so the provider's own count is what gets charged. A connection
 * error before any output is retried once; nothing is retried after output began.
 */
export class OpenAiProvider implements ModelProvider {
  readonly name = 'openai';
  private readonly logger = new Logger(OpenAiProvider.name);
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl ?? undefined,
      maxRetries: 0,
      timeout: options.timeoutMs,
    });
  }

  async *stream(request: ModelTurnRequest): AsyncIterable<ModelEvent> {
    const watchdog = new IdleWatchdog(this.options.timeoutMs, request.signal);
    try {
      const stream = await this.open(request, watchdog);
      watchdog.touch();
      for await (const chunk of stream) {
        watchdog.touch();
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) yield { type: 'delta', text };
        if (chunk.usage) {
          yield { type: 'usage', promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        }
      }
      // The SDK ends an aborted stream quietly: a silent provider must still be a timeout.
      if (watchdog.timedOut) throw new ModelTimeoutError();
    } catch (error) {
      throw this.translate(error, watchdog);
    } finally {
      watchdog.stop();
    }
  }

  private async open(request: ModelTurnRequest, watchdog: IdleWatchdog) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.client.chat.completions.create(
          {
            model: request.providerModel,
            messages: request.messages,
            max_tokens: request.maxCompletionTokens,
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            ...(request.stop ? { stop: request.stop } : {}),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: watchdog.signal },
        );
      } catch (error) {
        const retriable = error instanceof APIConnectionError && !(error instanceof APIConnectionTimeoutError) && !watchdog.signal.aborted;
        if (attempt >= 2 || !retriable) throw error;
        this.logger.warn({ message: 'model connection failed, retrying once', error: String(error) });
      }
    }
  }

  private translate(error: unknown, watchdog: IdleWatchdog): unknown {
    if (error instanceof ModelProviderError || error instanceof ModelTimeoutError) return error;
    if (watchdog.timedOut || error instanceof APIConnectionTimeoutError) return new ModelTimeoutError();
    // The client went away: not the provider's failure; the caller decides what to charge.
    if (error instanceof APIUserAbortError || (error as Error)?.name === 'AbortError') return error;
    const status = (error as { status?: number }).status;
    return new ModelProviderError(status ? `HTTP ${status}` : String((error as Error)?.message ?? error).slice(0, 200));
  }
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

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
