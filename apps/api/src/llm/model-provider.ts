import type { Locale } from '@consult-on/quota-policy';
import { DomainError } from '../common/errors.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ModelTurnRequest {
  providerModel: string;
  messages: ChatMessage[];
  maxCompletionTokens: number;
  /** Sampling temperature, when the client asked for one (OpenAI's 0–2); the provider's default otherwise. */
  temperature?: number;
  /** Sequences the model stops at, when the client gave some. */
  stop?: string[];
  locale: Locale;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** What a provider streams: text as it is generated, then (if it reports it) the usage. */
export type ModelEvent = { type: 'delta'; text: string } | { type: 'usage'; promptTokens: number; completionTokens: number };

/** Any model backend: the OpenAI-compatible client or the built-in demo consultant. */
export interface ModelProvider {
  readonly name: string;
  stream(request: ModelTurnRequest): AsyncIterable<ModelEvent>;
}

export const MODEL_PROVIDER = Symbol('MODEL_PROVIDER');

export class ModelProviderError extends DomainError {
  readonly code = 'MODEL_PROVIDER_FAILED';
  readonly status = 502;
  readonly localized = {
    ko: 'AI 상담 모델이 응답하지 못했습니다. 토큰은 차감되지 않았습니다. 잠시 후 다시 시도해 주세요.',
    en: 'The AI model failed to answer. No tokens were charged. Please try again shortly.',
  };
  constructor(readonly reason: string) {
    super(`model provider failed: ${reason}`);
  }
}

export class ModelTimeoutError extends DomainError {
  readonly code = 'MODEL_TIMEOUT';
  readonly status = 504;
  readonly localized = {
    ko: 'AI 상담 모델의 응답 시간이 초과되었습니다. 토큰은 차감되지 않았습니다.',
    en: 'The AI model took too long to answer. No tokens were charged.',
  };
  constructor() {
    super('model provider timed out');
  }
}
