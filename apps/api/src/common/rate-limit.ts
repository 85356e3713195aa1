import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config.js';

const AUTH_RATE_LIMIT = 'authRateLimit';

/** Routes that take a password: limited much more tightly, per client address, against brute force. */
export const AuthRateLimit = () => SetMetadata(AUTH_RATE_LIMIT, true);

export function throttlerOptions(config: AppConfig): ThrottlerModuleOptions {
  return {
    throttlers: [
      { name: 'default', ttl: 60_000, limit: config.rateLimit.perMinute },
      {
        name: 'auth',
        ttl: 60_000,
        limit: config.rateLimit.authPerMinute,
        skipIf: (context: ExecutionContext) => !Reflect.getMetadata(AUTH_RATE_LIMIT, context.getHandler()),
      },
    ],
  };
}
