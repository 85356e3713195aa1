import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Locale } from '@consult-on/quota-policy';
import type { Response } from 'express';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import { ApiKeyModelNotAllowedError, ModelNotFoundError, TooManyTurnsError } from '../common/errors.js';
import { describeError, openAiError } from '../common/http-exception.filter.js';
import { RATE_COUNTERS } from '../common/rate-limit.js';
import { ModelCatalog } from '../llm/model-catalog.js';
import type { TurnView } from './chat.dto.js';
import { abortWhenClientLeaves, ChatTurnsService } from './chat-turns.service.js';
import { ChatService, type TurnEvent } from './chat.service.js';
import type { ChatCompletionRequest } from './openai-request.js';
import type { TurnInput } from './turn.js';

/** The headers that carry the account's usage level to an API client (the web app shows it as a banner). */
export const USAGE_LEVEL_HEADER = 'x-consult-on-usage-level';
export const USAGE_PERCENT_HEADER = 'x-consult-on-usage-percent';
const API_KEY_RATE_WINDOW_MS = 60_000;

/** OpenAI's `usage` of a turn: what the model read and wrote (what it was charged is in our headers and the ledger). */
function usageOf(turn: TurnView) {
  return { prompt_tokens: turn.usage.promptTokens, completion_tokens: turn.usage.completionTokens, total_tokens: turn.usage.promptTokens + turn.usage.completionTokens };
}

/** `length` when the reply used all it was allowed, `stop` otherwise. */
function finishReason(turn: TurnView, maxCompletionTokens: number): 'length' | 'stop' {
  return turn.usage.completionTokens >= maxCompletionTokens ? 'length' : 'stop';
}

/**
 * `POST /v1/chat/completions` for a request made with an API key: the same metered turn as the
 * web app's (reserve → model → settle, or void), answered in OpenAI's shapes — one
 * `chat.completion`, or Server-Sent Events of `chat.completion.chunk` ending with `[DONE]`.
 * Refusals come before any output, as OpenAI's error envelope (HttpExceptionFilter); the soft
 * limit's level travels in the `x-consult-on-usage-level` header.
 */
@Injectable()
export class OpenAiChatService {
  constructor(
    private readonly chat: ChatService,
    private readonly turns: ChatTurnsService,
    private readonly catalog: ModelCatalog,
    @Inject(RATE_COUNTERS) private readonly counters: ThrottlerStorage,
  ) {}

  async complete(key: ApiKeyPrincipal, request: ChatCompletionRequest, locale: Locale, response: Response): Promise<void> {
    // Cheap refusals first: the model, then the key's turns a minute (counted on every instance's shared counters).
    if (!this.catalog.find(request.model)) throw new ModelNotFoundError(this.catalog.list().map((model) => model.id));
    if (key.models && !key.models.includes(request.model)) throw new ApiKeyModelNotAllowedError(key.models);
    await this.assertKeyRate(key);
    const input: TurnInput = {
      message: request.message,
      model: request.model,
      ...(key.organizationId ? { organizationId: key.organizationId } : {}),
      api: {
        keyId: key.keyId,
        limited: key.limited,
        record: key.keepConversations,
        history: request.history,
        ...(request.maxCompletionTokens !== undefined ? { maxCompletionTokens: request.maxCompletionTokens } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(request.user !== undefined ? { endUser: request.user } : {}),
        ...(request.stop ? { stop: request.stop } : {}),
      },
    };
    const signal = abortWhenClientLeaves(response);
    const events = this.chat.turn({ id: key.userId }, input, locale, signal);
    let turn: TurnView | null = null;
    let failure: unknown = null;
    try {
      // Refusals (402, 404, 429) happen before the first event: they are answered as ordinary errors.
      const first = await events.next();
      if (first.done || first.value.type !== 'start') return;
      const start = first.value;
      const completion = { id: `chatcmpl-${randomUUID().replaceAll('-', '')}`, created: Math.floor(Date.now() / 1000), model: start.model };
      if (start.usage) {
        response.setHeader(USAGE_LEVEL_HEADER, start.usage.level);
        response.setHeader(USAGE_PERCENT_HEADER, String(start.usage.usagePercent));
      }
      if (request.stream) {
        ({ turn, failure } = await this.stream(response, request, completion, start.maxCompletionTokens, events, signal, locale));
        return;
      }
      let text = '';
      for (let next = await events.next(); !next.done; next = await events.next()) {
        if (next.value.type === 'delta') text += next.value.text;
        else if (next.value.type === 'complete') turn = next.value.turn;
      }
      if (!turn || signal.aborted) return;
      // The level after the turn's charge: what the next one will meet.
      response.setHeader(USAGE_LEVEL_HEADER, turn.level);
      response.setHeader(USAGE_PERCENT_HEADER, String(turn.usagePercent));
      response.status(200).json({
        ...completion,
        object: 'chat.completion',
        system_fingerprint: null,
        choices: [{ index: 0, message: { role: 'assistant', content: turn.content || text, refusal: null }, logprobs: null, finish_reason: finishReason(turn, start.maxCompletionTokens) }],
        usage: usageOf(turn),
      });
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.turns.record(input, turn, failure);
    }
  }

  /** The turn as OpenAI's chunks: the role, each piece of text, the finish reason, the usage when asked for, then `[DONE]`. */
  private async stream(
    response: Response,
    request: ChatCompletionRequest,
    completion: { id: string; created: number; model: string },
    maxCompletionTokens: number,
    events: AsyncGenerator<TurnEvent>,
    signal: AbortSignal,
    locale: Locale,
  ): Promise<{ turn: TurnView | null; failure: unknown }> {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const write = (data: unknown) => {
      if (!signal.aborted) response.write(`data: ${JSON.stringify(data)}\n\n`);
    };
    // With include_usage, every chunk but the last says `usage: null`, as OpenAI's do.
    const usageField = request.includeUsage ? { usage: null } : {};
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      ...completion,
      object: 'chat.completion.chunk',
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...usageField,
    });
    let turn: TurnView | null = null;
    try {
      write(chunk({ role: 'assistant', content: '' }, null));
      for (let next = await events.next(); !next.done; next = await events.next()) {
        if (next.value.type === 'delta') write(chunk({ content: next.value.text }, null));
        else if (next.value.type === 'complete') turn = next.value.turn;
      }
      if (turn) {
        write(chunk({}, finishReason(turn, maxCompletionTokens)));
        if (request.includeUsage) write({ ...completion, object: 'chat.completion.chunk', system_fingerprint: null, choices: [], usage: usageOf(turn) });
        if (!signal.aborted) response.write('data: [DONE]\n\n');
      }
    } catch (error) {
      // After the first chunk the status is sent: the error goes as an event in OpenAI's envelope (its SDKs raise it).
      write(openAiError(describeError(error, locale)).body);
      response.end();
      return { turn: null, failure: error };
    }
    response.end();
    return { turn, failure: null };
  }

  /** The key's own turns a minute, on the counters every instance shares (Redis), when it has a limit. */
  private async assertKeyRate(key: ApiKeyPrincipal): Promise<void> {
    if (key.turnsPerMinute === null) return;
    const outcome = await this.counters.increment(key.keyId, API_KEY_RATE_WINDOW_MS, key.turnsPerMinute, 0, 'api-key');
    if (outcome.isBlocked) throw new TooManyTurnsError(key.turnsPerMinute, Math.max(1, outcome.timeToBlockExpire || outcome.timeToExpire), 'api-key');
  }
}
