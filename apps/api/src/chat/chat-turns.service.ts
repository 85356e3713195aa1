import { Injectable } from '@nestjs/common';
import type { Locale } from '@consult-on/quota-policy';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth.decorators.js';
import { describeError } from '../common/http-exception.filter.js';
import { IdempotencyService, type IdempotentRequest } from '../common/idempotency.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { EstimateView, ModelView, TurnView } from './chat.dto.js';
import { ChatService, type TurnEvent, type TurnInput } from './chat.service.js';

/** Aborts when the client closes the connection before the response was finished. */
export function abortWhenClientLeaves(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function frameOf(event: TurnEvent): string {
  if (event.type === 'start') return sseFrame('start', { conversationId: event.conversationId, model: event.model, maxCompletionTokens: event.maxCompletionTokens });
  if (event.type === 'delta') return sseFrame('delta', { text: event.text });
  const { content: _content, ...turn } = event.turn;
  return sseFrame('usage', turn);
}

/** What a turn came to: the finished turn, or why it failed (neither: the client left). */
interface TurnOutcome {
  turn: TurnView | null;
  failure: unknown;
}

/** The HTTP side of a chat turn: idempotent JSON answers, Server-Sent Events, client disconnects. */
@Injectable()
export class ChatTurnsService {
  constructor(
    private readonly chat: ChatService,
    private readonly idempotency: IdempotencyService,
    private readonly metrics: MetricsService,
  ) {}

  /** Counts a turn by its outcome and, when charged, its tokens by bucket and model. */
  record(input: TurnInput, turn: TurnView | null, error: unknown): void {
    if (turn) {
      this.metrics.turns.inc({ outcome: 'completed', model: turn.model });
      for (const [bucket, tokens] of [['purchased', turn.usage.purchasedTokens], ['free', turn.usage.freeTokens], ['overage', turn.usage.overageTokens]] as const) {
        if (tokens > 0) this.metrics.tokensCharged.inc({ bucket, model: turn.model }, tokens);
      }
      return;
    }
    const code = error ? describeError(error, 'en').body.code : 'CLIENT_CLOSED';
    const outcome = code === 'TOKEN_EXHAUSTED' ? 'refused' : code.startsWith('MODEL_') ? 'provider_failed' : code === 'CLIENT_CLOSED' ? 'client_closed' : 'error';
    this.metrics.turns.inc({ outcome, model: input.model ?? 'default' });
  }

  async send(user: AuthUser, input: TurnInput, locale: Locale, key: string | null, response: Response): Promise<TurnView | null> {
    const signal = abortWhenClientLeaves(response);
    return this.keyed(user, input, 'chat', key, (stored) => stored, async (outcome) => (outcome.turn = await this.chat.send(user, input, locale, signal)));
  }

  async stream(user: AuthUser, input: TurnInput, locale: Locale, key: string | null, response: Response): Promise<void> {
    const signal = abortWhenClientLeaves(response);
    return this.keyed(user, input, 'chat-stream', key, (stored) => this.replay(response, stored), async (outcome) => {
      const events = this.chat.turn(user, input, locale, signal);
      // Refusals (402, 400, 404) happen before the first event: they are answered as ordinary JSON errors.
      const first = await events.next();
      this.openStream(response);
      try {
        for (let next = first; !next.done; next = await events.next()) {
          if (next.value.type === 'complete') outcome.turn = next.value.turn;
          if (!signal.aborted) response.write(frameOf(next.value));
        }
        if (!signal.aborted) response.write(sseFrame('done', {}));
      } catch (error) {
        outcome.failure = error;
        if (!signal.aborted) response.write(sseFrame('error', describeError(error, locale).body));
      }
      response.end();
    });
  }

  /**
   * Runs a turn under its Idempotency-Key, when there is one (a repeated key is answered from the
   * stored turn by `replay`), then counts its outcome and keeps or frees the key.
   */
  private async keyed<T>(
    user: AuthUser,
    input: TurnInput,
    scope: 'chat' | 'chat-stream',
    key: string | null,
    replay: (stored: TurnView) => T,
    run: (outcome: TurnOutcome) => Promise<T>,
  ): Promise<T> {
    const request = key ? { ownerId: user.id, scope, key, request: input } : null;
    if (request) {
      const claim = await this.idempotency.claim(request);
      if (claim.replay) return replay(claim.response as TurnView);
    }
    const outcome: TurnOutcome = { turn: null, failure: null };
    try {
      return await run(outcome);
    } catch (error) {
      outcome.failure = error;
      throw error;
    } finally {
      this.record(input, outcome.turn, outcome.failure);
      if (request) await this.settleKey(request, outcome.turn);
    }
  }

  /** A finished turn keeps its key for replays; a turn that charged nothing frees it for a retry. */
  private async settleKey(request: IdempotentRequest, turn: TurnView | null): Promise<void> {
    if (turn) await this.idempotency.complete(request, turn);
    else await this.idempotency.release(request);
  }

  private openStream(response: Response): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
  }

  /** The stored turn of a repeated key, as the same sequence of events, without a new model call. */
  private replay(response: Response, turn: TurnView): void {
    this.openStream(response);
    response.write(frameOf({ type: 'start', conversationId: turn.conversationId, model: turn.model, maxCompletionTokens: 0 }));
    response.write(frameOf({ type: 'delta', text: turn.content }));
    response.write(frameOf({ type: 'complete', turn }));
    response.end(sseFrame('done', { replayed: true }));
  }

  models(userId: string): Promise<ModelView[]> {
    return this.chat.models(userId);
  }

  estimate(userId: string, input: TurnInput, locale: Locale): Promise<EstimateView> {
    return this.chat.estimate(userId, input, locale);
  }
}
