import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from '../common/errors.js';
import { IS_PUBLIC, REQUIRED_ROLE, type AuthUser } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import type { Role } from './users.repository.js';

/** Applied to every route: a Bearer token unless the route is @Public(), and the role it requires. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const header = request.headers.authorization;
    // The scheme is case-insensitive (RFC 7235): `bearer` works like `Bearer`.
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError();
    request.user = await this.auth.authenticate(match[1]!);
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (role && request.user.role !== role) throw new ForbiddenError();
    return true;
  }
}
