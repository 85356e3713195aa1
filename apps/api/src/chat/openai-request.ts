import { ValidationFailedError, type FieldProblem } from '../common/errors.js';
import type { ChatMessage } from '../llm/model-provider.js';

/** Messages a request may send (OpenAI takes more; a consultation's context is far less). */
export const MAX_REQUEST_MESSAGES = 256;
const MODEL_ID_MAX_LENGTH = 64;
const USER_MAX_LENGTH = 256;
/** OpenAI's bounds on `stop`. */
const MAX_STOP_SEQUENCES = 4;
const STOP_MAX_LENGTH = 256;
/** A reply longer than any model's limit is no cap at all: capped here, as OpenAI bounds it. */
const MAX_COMPLETION_TOKENS = 1_000_000;

/** What a chat completions request asks for, as the turn takes it. */
export interface ChatCompletionRequest {
  model: string;
  /** Every message before the last (system, user and assistant ones, in order). */
  history: ChatMessage[];
  /** The last message: the user's question the turn answers. */
  message: string;
  maxCompletionTokens?: number;
  temperature?: number;
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with the usage. */
  includeUsage: boolean;
  /** The client's id of its end user (OpenAI's `user`), kept in the ledger entry's metadata. */
  user?: string;
  /** Where the model stops (`stop`: up to 4 sequences), passed to the model. */
  stop?: string[];
}

const ROLES: Record<string, ChatMessage['role']> = { system: 'system', developer: 'system', user: 'user', assistant: 'assistant' };

/**
 * Reads a `POST /v1/chat/completions` body (pure): what a chat client sends — `model`, `messages`
 * (string or text-part content), `max_tokens` / `max_completion_tokens`, `temperature`, `stream`,
 * `stream_options.include_usage`, `user`, `stop`. Sampling fields a chat client may add (`top_p`,
 * `presence_penalty`, `seed`, …) are ignored; what a client would rely on and we cannot honour
 * (tools, images, JSON response formats, logprobs, `n` > 1) is refused with 400 and the field
 * named, as OpenAI does.
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  const problems: FieldProblem[] = [];
  const refuse = (field: string, problem: string) => problems.push({ field, problems: [problem] });
  if (!isObject(body)) throw new ValidationFailedError([{ field: 'body', problems: ['must be a JSON object'] }]);

  const model = body['model'];
  if (typeof model !== 'string' || model.length === 0 || model.length > MODEL_ID_MAX_LENGTH) refuse('model', `must be a model id of 1 to ${MODEL_ID_MAX_LENGTH} characters`);

  const messages: ChatMessage[] = [];
  const given = body['messages'];
  if (!Array.isArray(given) || given.length === 0 || given.length > MAX_REQUEST_MESSAGES) {
    refuse('messages', `must be an array of 1 to ${MAX_REQUEST_MESSAGES} messages`);
  } else {
    given.forEach((message: unknown, index) => {
      const field = `messages[${index}]`;
      if (!isObject(message)) return refuse(field, 'must be an object');
      const role = typeof message['role'] === 'string' ? ROLES[message['role']] : undefined;
      if (!role) return refuse(`${field}.role`, 'must be one of system, developer, user, assistant');
      if (message['tool_calls'] !== undefined || message['function_call'] !== undefined) return refuse(field, 'tool calls are not supported');
      const content = textOf(message['content']);
      if (content === null) return refuse(`${field}.content`, 'must be a string or an array of text parts');
      messages.push({ role, content });
    });
    if (problems.length === 0 && messages.at(-1)?.role !== 'user') refuse(`messages[${messages.length - 1}].role`, 'the last message must be the user’s');
    if (problems.length === 0 && !/\S/.test(messages.at(-1)!.content)) refuse(`messages[${messages.length - 1}].content`, 'must not be blank');
  }

  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens'];
  const cap = body['max_completion_tokens'] !== undefined ? 'max_completion_tokens' : 'max_tokens';
  if (maxTokens !== undefined && maxTokens !== null && !(Number.isSafeInteger(maxTokens) && (maxTokens as number) >= 1 && (maxTokens as number) <= MAX_COMPLETION_TOKENS)) {
    refuse(cap, `must be an integer from 1 to ${MAX_COMPLETION_TOKENS}`);
  }
  const temperature = body['temperature'];
  if (temperature !== undefined && temperature !== null && !(typeof temperature === 'number' && temperature >= 0 && temperature <= 2)) refuse('temperature', 'must be a number from 0 to 2');
  const stream = body['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') refuse('stream', 'must be a boolean');
  const options = body['stream_options'];
  if (options !== undefined && options !== null && !(isObject(options) && (options['include_usage'] === undefined || typeof options['include_usage'] === 'boolean'))) {
    refuse('stream_options', 'must be an object with a boolean include_usage');
  }
  const user = body['user'];
  if (user !== undefined && user !== null && !(typeof user === 'string' && user.length <= USER_MAX_LENGTH)) refuse('user', `must be a string of at most ${USER_MAX_LENGTH} characters`);
  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) refuse('n', 'only one choice is generated: n must be 1');
  // An empty list of tools is no tools (some clients always send one).
  for (const field of ['tools', 'functions'] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) refuse(field, 'is not supported');
  }
  for (const field of ['tool_choice', 'function_call', 'audio', 'prediction'] as const) {
    if (body[field] !== undefined && body[field] !== null && body[field] !== 'none') refuse(field, 'is not supported');
  }
  // What a client relies on and we cannot honour: refused, not ignored.
  const format = body['response_format'];
  if (format !== undefined && format !== null && !(isObject(format) && format['type'] === 'text')) refuse('response_format', 'only {"type":"text"} is supported');
  if (body['logprobs'] === true) refuse('logprobs', 'is not supported');
  const stop = body['stop'];
  const stops = typeof stop === 'string' ? [stop] : stop;
  if (stops !== undefined && stops !== null && !(Array.isArray(stops) && stops.length <= MAX_STOP_SEQUENCES && stops.every((item) => typeof item === 'string' && item.length > 0 && item.length <= STOP_MAX_LENGTH))) {
    refuse('stop', `must be a string or up to ${MAX_STOP_SEQUENCES} strings of 1 to ${STOP_MAX_LENGTH} characters`);
  }
  if (problems.length > 0) throw new ValidationFailedError(problems);

  return {
    model: model as string,
    history: messages.slice(0, -1),
    message: messages.at(-1)!.content,
    ...(typeof maxTokens === 'number' ? { maxCompletionTokens: maxTokens } : {}),
    ...(typeof temperature === 'number' ? { temperature } : {}),
    stream: stream === true,
    includeUsage: stream === true && isObject(options) && options['include_usage'] === true,
    ...(typeof user === 'string' ? { user } : {}),
    ...(Array.isArray(stops) && stops.length > 0 ? { stop: stops as string[] } : {}),
  };
}

/** A message's text: a string, or the text parts of an array joined (any other part is refused: null). */
function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || content.length === 0) return null;
  let text = '';
  for (const part of content) {
    if (!isObject(part) || part['type'] !== 'text' || typeof part['text'] !== 'string') return null;
    text += part['text'];
  }
  return text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
