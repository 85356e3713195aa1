import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Role } from './users.repository.js';

/** The authenticated caller, as the auth guard attached it to the request. */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
  /** Mail is configured and the address is not verified yet: chat is held to a small allowance. */
  verificationPending: boolean;
}

export const IS_PUBLIC = 'isPublic';
export const REQUIRED_ROLE = 'requiredRole';

/** Open to anyone: no Bearer token needed. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only for callers with this role (403 for other signed-in users). */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser => {
  return context.switchToHttp().getRequest<{ user: AuthUser }>().user;
});
