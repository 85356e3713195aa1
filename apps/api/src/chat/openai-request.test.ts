import { describe, expect, it } from 'vitest';
import { ValidationFailedError } from '../common/errors.js';
import { openAiError } from '../common/http-exception.filter.js';
import { parseChatCompletionRequest } from './openai-request.js';

const user = { role: 'user', content: '안녕하세요' };

function refusedFields(body: unknown): string[] {
  try {
    parseChatCompletionRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return (error as ValidationFailedError).fields.map((field) => field.field);
  }
  return [];
}

describe('parseChatCompletionRequest', () => {
  it('reads what a chat client sends, developer messages as system ones, and ignores what changes nothing', () => {
    expect(
      parseChatCompletionRequest({
        model: 'consult-basic',
        messages: [{ role: 'developer', content: '짧게' }, { role: 'assistant', content: [{ type: 'text', text: '네' }] }, user],
        max_completion_tokens: 100,
        max_tokens: 5,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
        user: 'u-1',
        stop: 'END',
        tools: [],
        response_format: { type: 'text' },
        top_p: 0.9,
        presence_penalty: 0,
        n: 1,
      }),
    ).toEqual({
      model: 'consult-basic',
      history: [{ role: 'system', content: '짧게' }, { role: 'assistant', content: '네' }],
      message: '안녕하세요',
      maxCompletionTokens: 100,
      temperature: 0,
      stream: true,
      includeUsage: true,
      user: 'u-1',
      stop: ['END'],
    });
    // include_usage without stream means nothing; null is "not given".
    expect(parseChatCompletionRequest({ model: 'm', messages: [user], stream_options: { include_usage: true }, max_tokens: null, temperature: null })).toMatchObject({ stream: false, includeUsage: false });
  });

  it('refuses hostile values with the field named', () => {
    expect(refusedFields(null)).toEqual(['body']);
    expect(refusedFields([user])).toEqual(['body']);
    expect(refusedFields({ messages: [user] })).toEqual(['model']);
    expect(refusedFields({ model: 'x'.repeat(65), messages: [user] })).toEqual(['model']);
    expect(refusedFields({ model: 'm', messages: [] })).toEqual(['messages']);
    expect(refusedFields({ model: 'm', messages: Array.from({ length: 257 }, () => user) })).toEqual(['messages']);
    expect(refusedFields({ model: 'm', messages: [{ role: 'tool', content: 'x' }] })).toEqual(['messages[0].role']);
    expect(refusedFields({ model: 'm', messages: [{ role: 'user', content: null }] })).toEqual(['messages[0].content']);
    expect(refusedFields({ model: 'm', messages: [{ role: 'user', content: [] }] })).toEqual(['messages[0].content']);
    expect(refusedFields({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url' }] }] })).toEqual(['messages[0].content']);
    expect(refusedFields({ model: 'm', messages: [{ role: 'user', content: 'x', tool_calls: [] }] })).toEqual(['messages[0]']);
    expect(refusedFields({ model: 'm', messages: [user, { role: 'assistant', content: 'x' }] })).toEqual(['messages[1].role']);
    expect(refusedFields({ model: 'm', messages: [{ role: 'user', content: ' \n' }] })).toEqual(['messages[0].content']);
    for (const value of [0, -1, 1.5, 1e23, '10', Number.NaN]) expect(refusedFields({ model: 'm', messages: [user], max_tokens: value })).toEqual(['max_tokens']);
    expect(refusedFields({ model: 'm', messages: [user], max_completion_tokens: 1e23 })).toEqual(['max_completion_tokens']);
    for (const value of [-0.1, 2.1, 1e23, '1']) expect(refusedFields({ model: 'm', messages: [user], temperature: value })).toEqual(['temperature']);
    expect(refusedFields({ model: 'm', messages: [user], stream: 'yes' })).toEqual(['stream']);
    expect(refusedFields({ model: 'm', messages: [user], stream_options: { include_usage: 1 } })).toEqual(['stream_options']);
    expect(refusedFields({ model: 'm', messages: [user], user: 'x'.repeat(257) })).toEqual(['user']);
    expect(refusedFields({ model: 'm', messages: [user], n: 2 })).toEqual(['n']);
    expect(refusedFields({ model: 'm', messages: [user], tools: [{ type: 'function' }] })).toEqual(['tools']);
    expect(refusedFields({ model: 'm', messages: [user], tool_choice: 'auto' })).toEqual(['tool_choice']);
    expect(refusedFields({ model: 'm', messages: [user], response_format: { type: 'json_object' } })).toEqual(['response_format']);
    expect(refusedFields({ model: 'm', messages: [user], logprobs: true })).toEqual(['logprobs']);
    for (const stop of [['a', 'b', 'c', 'd', 'e'], [''], [1], 'x'.repeat(257), {}]) expect(refusedFields({ model: 'm', messages: [user], stop })).toEqual(['stop']);
    expect(parseChatCompletionRequest({ model: 'm', messages: [user], stop: ['a', 'b'], logprobs: false, tool_choice: 'none' }).stop).toEqual(['a', 'b']);
  });
});

describe('openAiError', () => {
  const as = (code: string, extra: Record<string, unknown> = {}, status = 402) => openAiError({ status, body: { code, message: 'm', ...extra } });

  it('says which limit is spent, as insufficient_quota that the SDKs do not retry', () => {
    expect(as('TOKEN_EXHAUSTED', { limit: 'ACCOUNT' })).toEqual({ status: 429, headers: { 'x-should-retry': 'false' }, body: { error: { message: 'm', type: 'insufficient_quota', code: 'insufficient_quota', param: null, limit: 'account' } } });
    expect(as('TOKEN_EXHAUSTED', { limit: 'ORGANIZATION' }).body.error.limit).toBe('organization');
    expect(as('MEMBER_LIMIT_REACHED').body.error.limit).toBe('member');
    expect(as('API_KEY_BUDGET_REACHED').body.error.limit).toBe('api_key');
  });

  it('gives rate limits a retry-after, models a 404 model_not_found, keys a 401 invalid_api_key, bad fields a param', () => {
    expect(as('TOO_MANY_TURNS', { retryAfterSeconds: 17 }, 429)).toMatchObject({ status: 429, headers: { 'retry-after': '17' }, body: { error: { code: 'rate_limit_exceeded', type: 'requests' } } });
    expect(as('TOO_MANY_CONCURRENT_TURNS', {}, 429).headers).toEqual({ 'retry-after': '1' });
    for (const code of ['MODEL_NOT_FOUND', 'API_KEY_MODEL_NOT_ALLOWED', 'PLAN_MODEL_NOT_ALLOWED']) expect(as(code)).toMatchObject({ status: 404, body: { error: { code: 'model_not_found', param: 'model' } } });
    expect(as('INVALID_API_KEY', {}, 401).body.error.code).toBe('invalid_api_key');
    expect(as('VALIDATION_FAILED', { fields: [{ field: 'messages[0].role', problems: [] }] }, 400)).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', param: 'messages[0].role' } } });
    expect(as('INTERNAL_ERROR', {}, 500).body.error.type).toBe('server_error');
  });
});
