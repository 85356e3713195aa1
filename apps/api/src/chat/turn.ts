import type { ModelConfig } from '../config/app-config.js';
import type { PlanLimits } from '../plans/plan-rules.js';
import type { ChatMessage } from '../llm/model-provider.js';
import type { SettlementView } from '../quota/holds/holds.service.js';
import type { TurnView } from './chat.dto.js';

/** The shapes a chat turn passes between its steps: prepared, charged, committed. */
export interface TurnInput {
  message: string;
  conversationId?: string;
  model?: string;
  /** The workspace of a new conversation: an organization the user belongs to; omitted: their own account. */
  organizationId?: string;
  /** A turn through `/v1`: the API key it is made with, and what the client sent besides its last message. */
  api?: ApiTurn;
}

/** What a turn through the OpenAI-compatible API brings that a web turn does not. */
export interface ApiTurn {
  keyId: string;
  /** Whether the key has limits of its own (budget, turns in flight): its reservation takes the locking path. */
  limited: boolean;
  /** Whether the turn is kept as a conversation (otherwise only its ledger entries say it happened). */
  record: boolean;
  /** The request's messages before its last (user) one, as the client sent them: the context. */
  history: ChatMessage[];
  /** The client's cap on the reply (`max_completion_tokens`), within the model's and the plan's. */
  maxCompletionTokens?: number;
  temperature?: number;
  stop?: string[];
  /** The client's id of its end user (OpenAI's `user`), kept in the settlement's metadata. */
  endUser?: string;
}

export interface CommittedTurn {
  conversationId: string;
  model: string;
  text: string;
  settlement: SettlementView | null;
  /** Null when the turn was charged but its messages could not be recorded. */
  assistantId: number | null;
  usage: TurnView['usage'];
}

/** What a finished turn is charged, and the reply as it is stored. */
export interface TurnCharge {
  reply: string;
  replyTokens: number;
  promptTokens: number;
  completionTokens: number;
  charged: number;
  estimated: boolean;
  metadata: Record<string, unknown>;
}

export interface PreparedTurn {
  model: ModelConfig;
  /** The account's plan (null when metering is off): its models, completion limit and caps apply to the turn. */
  plan: PlanLimits | null;
  /** The model's completion limit, capped by the plan's. */
  completionLimit: number;
  conversationId: string;
  /** The workspace charged: the organization whose pool pays, or null (the user's own account). */
  organizationId: string | null;
  isNew: boolean;
  prompt: ChatMessage[];
  promptTokens: number;
  userTokens: number;
  /** Prompt tokens of the earlier messages resent with the turn (their content and per-message overhead). */
  contextTokens: number;
  /** Whether older messages were left out to keep the context under CHAT_CONTEXT_MAX_TOKENS. */
  contextTruncated: boolean;
}
