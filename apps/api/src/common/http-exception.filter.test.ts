import { describe, expect, it } from 'vitest';
import { TokenExhaustedError } from './errors.js';
import { describeError } from './http-exception.filter.js';

describe('describeError', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['an administrator shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
    ['a wrapped driver error', Object.assign(new Error('Failed query: select 1'), { cause: Object.assign(new Error('Connection terminated unexpectedly'), {}) })],
  ])('answers %s with 503 and no detail', (_, error) => {
    const { status, body } = describeError(error, 'en');
    expect(status).toBe(503);
    expect(body).toEqual({ code: 'SERVICE_UNAVAILABLE', message: 'The service is temporarily unavailable.' });
  });

  it('never puts SQL or a stack into the body of an unexpected error', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), { code: '23505', detail: 'Key (email)=(a@b.c)' });
    const { status, body } = describeError(error, 'ko');
    expect(status).toBe(500);
    expect(body).toEqual({ code: 'INTERNAL_ERROR', message: '서버 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.' });
  });

  it('keeps the details of a domain error', () => {
    const { status, body } = describeError(new TokenExhaustedError(0, 105, '/purchase'), 'ko');
    expect(status).toBe(402);
    expect(body).toMatchObject({ code: 'TOKEN_EXHAUSTED', recommendedAction: 'PURCHASE_TOKENS', purchaseUrl: '/purchase' });
  });
});
