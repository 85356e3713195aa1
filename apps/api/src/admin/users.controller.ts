import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole, type AuthUser } from '../auth/auth.decorators.js';
import { UserView } from '../auth/auth.dto.js';
import { AuthService } from '../auth/auth.service.js';
import { NotFoundError } from '../common/errors.js';

const userIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

/** Suspending and reactivating accounts. */
@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('ADMIN')
@Controller('admin/users')
export class UsersAdminController {
  constructor(private readonly auth: AuthService) {}

  /** Suspends an account: its sessions and API keys stop at once (keys within a second on other instances). */
  @Post(':userId/suspend')
  @HttpCode(200)
  @ApiOkResponse({ type: UserView })
  suspend(@CurrentUser() admin: AuthUser, @Param('userId', userIdPipe) userId: string): Promise<UserView> {
    return this.auth.setSuspended(admin.id, userId, true);
  }

  /** Reactivates a suspended account: it may sign in again, and its API keys work again. */
  @Post(':userId/reactivate')
  @HttpCode(200)
  @ApiOkResponse({ type: UserView })
  reactivate(@CurrentUser() admin: AuthUser, @Param('userId', userIdPipe) userId: string): Promise<UserView> {
    return this.auth.setSuspended(admin.id, userId, false);
  }
}
