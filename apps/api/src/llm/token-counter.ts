import { countTokens } from 'gpt-tokenizer';
import type { ChatMessage } from './model-provider.js';

/** Tokens the chat format adds around each message and to prime the reply (OpenAI's published figures). */
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY = 3;

export function countTextTokens(text: string): number {
  return countTokens(text);
}

/** The prompt tokens of a conversation as sent to the model, counted with a real tokenizer. */
export function countPromptTokens(messages: readonly ChatMessage[], contentTokens?: readonly number[]): number {
  let total = TOKENS_PER_REPLY;
  messages.forEach((message, index) => {
    total += TOKENS_PER_MESSAGE + (contentTokens?.[index] ?? countTokens(message.content));
  });
  return total;
}
