import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsAccountEmail, normalizeEmail } from './email-address.js';

const normalized = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value);

export class RegisterDto {
  @ApiProperty({ example: 'user@example.com', description: 'Latin letters before @; one account per mailbox (dots and +tags of the part before @ do not make another)' })
  @Transform(normalized)
  @IsAccountEmail()
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery', description: 'Common and easily guessed passwords are refused' })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password!: string;

  @ApiPropertyOptional({ enum: ['ko', 'en'], default: 'ko' })
  @IsOptional()
  @IsIn(['ko', 'en'])
  locale?: 'ko' | 'en';
}

export class LoginDto {
  @ApiProperty({ example: 'demo@consult-on.local' })
  @Transform(normalized)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'demo1234!' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ example: 'demo1234!', description: 'The password the account has now' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  currentPassword!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, description: 'Common and easily guessed passwords are refused' })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  newPassword!: string;
}

/** A link's one-time token (password reset, address verification): 43 base64url characters. */
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class PasswordResetRequestDto {
  @ApiProperty({ example: 'user@example.com', description: 'The answer is the same whether an account has this address or not' })
  @Transform(normalized)
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

export class PasswordResetDto {
  @ApiProperty({ description: 'The token of the link in the mail (after #token=)' })
  @IsString()
  @Matches(LINK_TOKEN, { message: 'token must be the token of a link we sent' })
  token!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, description: 'Common and easily guessed passwords are refused' })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  newPassword!: string;
}

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token of the link in the mail (after #token=)' })
  @IsString()
  @Matches(LINK_TOKEN, { message: 'token must be the token of a link we sent' })
  token!: string;
}

export class UpdateMeDto {
  @ApiProperty({ enum: ['ko', 'en'], description: 'The language of mail and of messages the account is sent' })
  @IsIn(['ko', 'en'])
  locale!: 'ko' | 'en';
}

export class AcceptedView {
  @ApiProperty({ example: true }) accepted!: true;
}

export class UserView {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ['USER', 'ADMIN'] }) role!: 'USER' | 'ADMIN';
  @ApiProperty({ enum: ['ko', 'en'] }) locale!: 'ko' | 'en';
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'Whether the owner proved the address (a link mailed to it)' }) emailVerified!: boolean;
  @ApiProperty({
    description: 'Whether the service asks for the address to be verified (mail is configured and it is not yet): chat is limited to a small allowance until then',
  })
  verificationPending!: boolean;
  @ApiProperty({ description: 'An admin suspended the account (shown to admins; its owner cannot sign in)' }) suspended!: boolean;
  @ApiProperty({ description: 'Its owner deleted the account (shown to admins: its address is a placeholder)' }) deleted!: boolean;
}

export class SessionView {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the token expires' }) expiresIn!: number;
  @ApiProperty({ type: UserView }) user!: UserView;
}
