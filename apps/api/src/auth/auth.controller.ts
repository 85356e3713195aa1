import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthRateLimit, RegisterRateLimit } from '../common/rate-limit.js';
import { CurrentUser, Public, type AuthUser } from './auth.decorators.js';
import { ChangePasswordDto, LoginDto, RegisterDto, SessionView, UserView } from './auth.dto.js';
import { AuthService } from './auth.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @AuthRateLimit()
  @RegisterRateLimit()
  @Post('register')
  @ApiOkResponse({ type: SessionView })
  register(@Body() body: RegisterDto): Promise<SessionView> {
    return this.auth.register(body);
  }

  @Public()
  @AuthRateLimit()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  login(@Body() body: LoginDto): Promise<SessionView> {
    return this.auth.login(body);
  }

  /** A new password (the current one required): every other session ends; the answer is this one's new session. */
  @ApiBearerAuth()
  @AuthRateLimit()
  @Post('password')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  changePassword(@CurrentUser() user: AuthUser, @Body() body: ChangePasswordDto): Promise<SessionView> {
    return this.auth.changePassword(user.id, body);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: UserView })
  me(@CurrentUser() user: AuthUser): Promise<UserView> {
    return this.auth.me(user.id);
  }
}
