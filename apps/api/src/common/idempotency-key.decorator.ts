import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ValidationFailedError } from './errors.js';

const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

/** The request's `Idempotency-Key` header, or null; a malformed key is a 400. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | null => {
  const value = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['idempotency-key'];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw new ValidationFailedError([{ field: 'Idempotency-Key', problems: ['must be 1–200 characters of A–Z, a–z, 0–9, . _ : -'] }]);
  }
  return value;
});

export const ApiIdempotencyKey = () =>
  ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Applies the request at most once; the same key with another body is a 409.' });
