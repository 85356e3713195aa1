import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthRateLimit, RegisterRateLimit } from '../common/rate-limit.js';
import { CurrentUser, Public, type AuthUser } from './auth.decorators.js';
import {
  AcceptedView,
  ChangePasswordDto,
  LoginDto,
  PasswordResetDto,
  PasswordResetRequestDto,
  RegisterDto,
  SessionView,
  UpdateMeDto,
  UserView,
  VerifyEmailDto,
} from './auth.dto.js';
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

  /** Mails a reset link if an account has the address; the answer is the same either way (202). */
  @Public()
  @AuthRateLimit()
  @Post('password-reset')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: AcceptedView })
  requestPasswordReset(@Body() body: PasswordResetRequestDto): AcceptedView {
    this.auth.requestPasswordReset(body.email);
    return { accepted: true };
  }

  /** A new password with the mailed link's token: every session ends, and the answer is a new one. */
  @Public()
  @AuthRateLimit()
  @Post('password-reset/confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  resetPassword(@Body() body: PasswordResetDto): Promise<SessionView> {
    return this.auth.resetPassword(body);
  }

  /** Verifies the address a verification link was mailed to. */
  @Public()
  @AuthRateLimit()
  @Post('email/verify')
  @HttpCode(200)
  @ApiOkResponse({ type: UserView })
  verifyEmail(@Body() body: VerifyEmailDto): Promise<UserView> {
    return this.auth.verifyEmail(body.token);
  }

  /** Mails a new verification link (nothing when the address is verified or no mail is configured). */
  @ApiBearerAuth()
  @AuthRateLimit()
  @Post('email/verification')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: AcceptedView })
  async resendVerification(@CurrentUser() user: AuthUser): Promise<AcceptedView> {
    await this.auth.resendVerification(user.id);
    return { accepted: true };
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: UserView })
  me(@CurrentUser() user: AuthUser): Promise<UserView> {
    return this.auth.me(user.id);
  }

  /** Changes the account's language (mail and the messages it is sent). */
  @ApiBearerAuth()
  @Patch('me')
  @ApiOkResponse({ type: UserView })
  updateMe(@CurrentUser() user: AuthUser, @Body() body: UpdateMeDto): Promise<UserView> {
    return this.auth.setLocale(user.id, body.locale);
  }
}
