import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { InvalidApiKeyError } from '../common/errors.js';
import { ApiKeysService, type ApiKeyPrincipal } from './api-keys.service.js';

type KeyedRequest = Request & { apiKey?: ApiKeyPrincipal };

/** For `/v1` routes (marked @Public(), so no session is asked for): an API key as `Authorization: Bearer co_live_…`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header) : null;
    if (!match) throw new InvalidApiKeyError();
    request.apiKey = await this.keys.authenticate(match[1]!);
    return true;
  }
}

/** The principal of the request's API key, as ApiKeyGuard attached it. */
export const CurrentApiKey = createParamDecorator((_: unknown, context: ExecutionContext): ApiKeyPrincipal => {
  return context.switchToHttp().getRequest<KeyedRequest>().apiKey!;
});
