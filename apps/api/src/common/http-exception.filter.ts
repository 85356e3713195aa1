import { ArgumentsHost, Catch, HttpException, Inject, Logger, type ExceptionFilter } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { DomainError, type Localized } from './errors.js';
import { localeOf } from './locale.js';
import { REFUSAL_COUNTER, type RefusalCounter } from './refusal-counter.js';

interface ErrorBody {
  code: string;
  message: string;
  [detail: string]: unknown;
}

const HTTP_ERRORS: Record<number, { code: string } & Localized> = {
  400: { code: 'BAD_REQUEST', ko: '요청을 처리할 수 없습니다.', en: 'The request could not be processed.' },
  401: { code: 'UNAUTHORIZED', ko: '로그인이 필요합니다.', en: 'Authentication is required.' },
  403: { code: 'FORBIDDEN', ko: '이 작업을 할 권한이 없습니다.', en: 'You are not allowed to do this.' },
  404: { code: 'NOT_FOUND', ko: '요청한 항목을 찾을 수 없습니다.', en: 'The requested item was not found.' },
  405: { code: 'METHOD_NOT_ALLOWED', ko: '허용되지 않는 메서드입니다.', en: 'This method is not allowed.' },
  413: { code: 'PAYLOAD_TOO_LARGE', ko: '요청 본문이 너무 큽니다.', en: 'The request body is too large.' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', ko: '지원하지 않는 형식입니다.', en: 'This content type is not supported.' },
  429: { code: 'RATE_LIMITED', ko: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.', en: 'Too many requests. Please try again shortly.' },
  500: { code: 'INTERNAL_ERROR', ko: '서버 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.', en: 'Something went wrong on our side. Please try again shortly.' },
  502: { code: 'BAD_GATEWAY', ko: 'AI 모델 제공자가 응답하지 않습니다.', en: 'The model provider failed to answer.' },
  503: { code: 'SERVICE_UNAVAILABLE', ko: '서비스를 잠시 사용할 수 없습니다.', en: 'The service is temporarily unavailable.' },
  504: { code: 'GATEWAY_TIMEOUT', ko: 'AI 모델 응답 시간이 초과되었습니다.', en: 'The model provider timed out.' },
};

/** Errors thrown by body-parser before a route runs carry their status and a `type`. */
interface BodyParserError {
  status?: number;
  statusCode?: number;
  type?: string;
}

/** SQLSTATE classes and socket errors that mean the database cannot be reached right now. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

/** Whether an error (or its cause, as drizzle wraps driver errors) is the database being down. */
export function isDatabaseUnavailable(exception: unknown): boolean {
  for (let error = exception as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; error && depth < 5; depth += 1) {
    if (typeof error.code === 'string' && UNAVAILABLE_CODES.has(error.code)) return true;
    if (typeof error.message === 'string' && UNAVAILABLE_MESSAGES.test(error.message)) return true;
    error = error.cause as typeof error;
  }
  return false;
}

/** The status and JSON body of any error, in the client's language (also used for SSE `error` events). */
export function describeError(exception: unknown, locale: 'ko' | 'en'): { status: number; body: ErrorBody } {
  if (isDatabaseUnavailable(exception)) return generic(503, locale);
  if (exception instanceof DomainError) {
    return { status: exception.status, body: { code: exception.code, message: exception.localized[locale], ...exception.details() } };
  }
  if (exception instanceof ThrottlerException) return generic(429, locale);
  const parserError = exception as BodyParserError;
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : parserError?.type
        ? (parserError.status ?? parserError.statusCode ?? 500)
        : 500;
  // Any other 400 is a body that could not be read (malformed JSON, not an object, …).
  if (status === 400) return malformedBody(locale);
  return generic(status, locale);
}

function malformedBody(locale: 'ko' | 'en') {
  return {
    status: 400,
    body: {
      code: 'VALIDATION_FAILED',
      message: locale === 'ko' ? '요청 본문을 읽을 수 없습니다. JSON 객체를 보내 주세요.' : 'The request body could not be read: send a JSON object.',
      fields: [{ field: 'body', problems: ['must be a JSON object'] }],
    },
  };
}

function generic(status: number, locale: 'ko' | 'en') {
  const known = HTTP_ERRORS[status] ?? HTTP_ERRORS[status >= 500 ? 500 : 400]!;
  return { status, body: { code: known.code, message: known[locale] } };
}

/** Limits reached that no retry lifts (OpenAI's `insufficient_quota`): which one, as the error says. */
const QUOTA_LIMITS: Record<string, string> = {
  TOKEN_EXHAUSTED: 'account',
  MEMBER_LIMIT_REACHED: 'member',
  API_KEY_BUDGET_REACHED: 'api_key',
};
/** Limits a retry lifts (OpenAI's `rate_limit_exceeded`, with `retry-after`). */
const RATE_CODES = new Set(['RATE_LIMITED', 'TOO_MANY_TURNS', 'TOO_MANY_CONCURRENT_TURNS']);
/** A model the key may not use is, to OpenAI's clients, one that does not exist for them. */
const MODEL_CODES = new Set(['MODEL_NOT_FOUND', 'API_KEY_MODEL_NOT_ALLOWED', 'PLAN_MODEL_NOT_ALLOWED']);

export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string; param: string | null; limit?: string };
}

/**
 * The same error as OpenAI's clients read it (`/v1`; what its SDKs parse into their error classes):
 * the status they understand and `{"error":{"message","type","code","param"}}`. A spent limit is
 * 429 `insufficient_quota` saying which (`limit`: account, organization, member, api_key) and
 * `x-should-retry: false` (the SDKs would retry a 429); a rate limit is 429
 * `rate_limit_exceeded` with `retry-after`; a model the key may not use, 404 `model_not_found`.
 */
export function openAiError({ status, body }: { status: number; body: ErrorBody }): { status: number; body: OpenAiErrorBody; headers: Record<string, string> } {
  const fields = body['fields'] as { field: string }[] | undefined;
  const error = (type: string, code: string, extra: Partial<OpenAiErrorBody['error']> = {}) => ({ message: body.message, type, code, param: fields?.[0]?.field ?? null, ...extra });
  const limit = QUOTA_LIMITS[body.code];
  if (limit) {
    const which = body.code === 'TOKEN_EXHAUSTED' && body['limit'] === 'ORGANIZATION' ? 'organization' : limit;
    return { status: 429, body: { error: error('insufficient_quota', 'insufficient_quota', { limit: which }) }, headers: { 'x-should-retry': 'false' } };
  }
  if (RATE_CODES.has(body.code)) {
    const retryAfter = typeof body['retryAfterSeconds'] === 'number' ? body['retryAfterSeconds'] : 1;
    return { status: 429, body: { error: error('requests', 'rate_limit_exceeded') }, headers: body.code === 'RATE_LIMITED' ? {} : { 'retry-after': String(retryAfter) } };
  }
  if (MODEL_CODES.has(body.code)) return { status: 404, body: { error: error('invalid_request_error', 'model_not_found', { param: 'model' }) }, headers: {} };
  if (status === 401) return { status, body: { error: error('invalid_request_error', 'invalid_api_key') }, headers: {} };
  return { status, body: { error: error(status >= 500 ? 'server_error' : 'invalid_request_error', body.code.toLowerCase()) }, headers: {} };
}

/**
 * The one place errors become HTTP: a JSON body with a stable `code` and a message in the
 * client's language — never a stack trace, never SQL (under `/v1`, in OpenAI's envelope).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(@Inject(REFUSAL_COUNTER) private readonly refusals: RefusalCounter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    const locale = localeOf(request.headers['accept-language']);
    const { status, body } = describeError(exception, locale);
    if (status < 500) this.refusals.countRefusal(body.code);
    if (status >= 500) {
      this.logger.error({ message: 'request failed', method: request.method, path: request.path, status, error: String(exception), stack: (exception as Error)?.stack });
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    // OpenAI's clients (`/v1`) read errors in OpenAI's envelope.
    if (request.path.startsWith('/v1/')) {
      const answer = openAiError({ status, body });
      response.set(answer.headers).status(answer.status).json(answer.body);
      return;
    }
    if (typeof body['retryAfterSeconds'] === 'number') response.set('retry-after', String(body['retryAfterSeconds']));
    response.status(status).json(body);
  }
}
