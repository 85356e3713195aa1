import { Injectable } from '@nestjs/common';
import type { Locale } from '@consult-on/quota-policy';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth.decorators.js';
import { describeError } from '../common/http-exception.filter.js';
import { IdempotencyService } from '../common/idempotency.js';
import type { EstimateView, TurnView } from './chat.dto.js';
import { ChatService, type TurnEvent, type TurnInput } from './chat.service.js';

/** Aborts when the client closes the connection before the response was finished. */
function abortWhenClientLeaves(response: Response): AbortSignal {
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

/** The HTTP side of a chat turn: idempotent JSON answers, Server-Sent Events, client disconnects. */
@Injectable()
export class ChatTurnsService {
  constructor(
    private readonly chat: ChatService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async send(user: AuthUser, input: TurnInput, locale: Locale, key: string | null, response: Response): Promise<TurnView | null> {
    const signal = abortWhenClientLeaves(response);
    if (!key) return this.chat.send(user, input, locale, signal);
    const request = { ownerId: user.id, scope: 'chat', key, request: input };
    const claim = await this.idempotency.claim(request);
    if (claim.replay) return claim.response as TurnView;
    let turn: TurnView | null;
    try {
      turn = await this.chat.send(user, input, locale, signal);
    } catch (error) {
      // Nothing was charged (the hold was voided): the same key may be retried.
      await this.idempotency.release(request);
      throw error;
    }
    if (turn) await this.idempotency.complete(request, turn);
    else await this.idempotency.release(request);
    return turn;
  }

  async stream(user: AuthUser, input: TurnInput, locale: Locale, _request: Request, response: Response): Promise<void> {
    const signal = abortWhenClientLeaves(response);
    const events = this.chat.turn(user, input, locale, signal);
    // Refusals (402, 400, 404) happen before the first event: they are answered as ordinary JSON errors.
    const first = await events.next();
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    try {
      if (!first.done) response.write(frameOf(first.value));
      for await (const event of { [Symbol.asyncIterator]: () => events }) {
        if (!signal.aborted) response.write(frameOf(event));
      }
      if (!signal.aborted) response.write(sseFrame('done', {}));
    } catch (error) {
      if (!signal.aborted) response.write(sseFrame('error', describeError(error, locale).body));
    } finally {
      response.end();
    }
  }

  estimate(userId: string, input: TurnInput, locale: Locale): Promise<EstimateView> {
    return this.chat.estimate(userId, input, locale);
  }
}
