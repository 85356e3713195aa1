import { ApiKeyCache } from '../api-keys/api-key-cache.js';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import {
  AccountSuspendedError,
  CannotSuspendAdminError,
  EmailTakenError,
  InvalidAccountLinkError,
  InvalidCredentialsError,
  NotFoundError,
  UnauthorizedError,
  ValidationFailedError,
  WrongCurrentPasswordError,
} from '../common/errors.js';
import { newSecret, secretHash } from '../common/secret-token.js';
import { MailService } from '../mail/mail.service.js';
import { emailVerificationMail, passwordResetMail } from './account-mail.js';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import type { AuthUser } from './auth.decorators.js';
import type { ChangePasswordDto, LoginDto, PasswordResetDto, RegisterDto, SessionView, UserView } from './auth.dto.js';
import { isEmailAddress, parseEmail } from './email-address.js';
import { passwordHasher } from './password-hasher.js';
import { assertStrongPassword, passwordProblem } from './password-policy.js';
import { UsersRepository, type Role, type UserRow } from './users.repository.js';

interface TokenClaims {
  sub: string;
  role: Role;
  /** The account's session version when the token was issued (absent in tokens from before it existed: 0). */
  sv?: number;
}

/** The configured administrator cannot be set up safely: the start stops with this message. */
export class AdminBootstrapError extends Error {}

/** Links of one kind mailed to one account in an hour at most (a stranger cannot flood a mailbox). */
const LINKS_PER_HOUR = 3;

export function toUserView(user: UserRow, verificationRequired: boolean): UserView {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    locale: user.locale,
    createdAt: user.createdAt.toISOString(),
    emailVerified: user.emailVerifiedAt !== null,
    verificationPending: verificationRequired && user.emailVerifiedAt === null,
    suspended: user.suspendedAt !== null,
    deleted: user.deletedAt !== null,
  };
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** Verified against when the email is unknown, so a login takes as long either way. */
  private dummyHash: Promise<string> | null = null;
  /**
   * The HS256 key as a KeyObject, built once: given a string, jsonwebtoken first tries to parse
   * it as a PEM public key and only falls back to a secret key after that throws — about half a
   * millisecond of CPU on every request.
   */
  private readonly jwtKey: KeyObject;

  constructor(
    private readonly users: UsersRepository,
    private readonly accounts: AccountsService,
    private readonly jwt: JwtService,
    private readonly keyCache: ApiKeyCache,
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.jwtKey = createSecretKey(Buffer.from(config.jwt.secret, 'utf8'));
  }

  async register(request: RegisterDto): Promise<SessionView> {
    assertStrongPassword(request.password, request.email);
    // Without mail nobody can verify: the address counts as verified (so turning mail on later holds back only new accounts).
    const user = await this.createUser(request.email, request.password, 'USER', request.locale ?? 'ko', !this.mail.delivers);
    if (!user) throw new EmailTakenError();
    if (this.mail.delivers) await this.mailVerificationLink(user);
    return this.session(user);
  }

  async login(request: LoginDto): Promise<SessionView> {
    const user = await this.users.findByEmail(request.email);
    if (!user) {
      this.dummyHash ??= passwordHasher.hash('not-a-real-password');
      await passwordHasher.verify(await this.dummyHash, request.password);
      throw new InvalidCredentialsError();
    }
    if (!(await passwordHasher.verify(user.passwordHash, request.password))) throw new InvalidCredentialsError();
    if (user.suspendedAt) throw new AccountSuspendedError();
    return this.session(user);
  }

  /**
   * Mails a password-reset link when an account has this address. The caller learns nothing
   * either way: the answer is the same and comes before any of the work (done afterwards).
   */
  requestPasswordReset(email: string): void {
    void this.mailResetLink(email).catch((error: unknown) => {
      this.logger.error({ message: 'password reset link not mailed', error: (error as Error).message });
    });
  }

  private async mailResetLink(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.deletedAt || user.suspendedAt) return;
    const link = await this.issueLink(user, 'PASSWORD_RESET', this.config.mail.resetTtlMinutes * 60_000, 'reset-password');
    if (!link) return;
    this.mail.sendLater(passwordResetMail(user.email, user.locale, link, this.config.mail.resetTtlMinutes), { userId: user.id });
  }

  /** Sets a new password with a reset link's token: every session ends, and the caller is signed in. */
  async resetPassword(request: PasswordResetDto): Promise<SessionView> {
    const now = new Date();
    const found = await this.users.liveAccountToken(secretHash(request.token), 'PASSWORD_RESET', now);
    if (!found) throw new InvalidAccountLinkError();
    // Checked before the token is used, so a refused password leaves the link working.
    assertStrongPassword(request.newPassword, found.user.email);
    const user = await this.users.resetPassword(found.token.id, await passwordHasher.hash(request.newPassword), now);
    if (!user) throw new InvalidAccountLinkError();
    this.logger.log({ message: 'password reset by mailed link; other sessions ended', userId: user.id });
    if (user.suspendedAt) throw new AccountSuspendedError();
    return this.session(user);
  }

  /** Verifies the address a verification link was sent to. */
  async verifyEmail(token: string): Promise<UserView> {
    const now = new Date();
    const found = await this.users.liveAccountToken(secretHash(token), 'EMAIL_VERIFICATION', now);
    const user = found ? await this.users.verifyEmail(found.token.id, now) : null;
    if (!user) throw new InvalidAccountLinkError();
    return this.view(user);
  }

  /** Mails a signed-in user a new verification link (when mail is configured and the address is not verified yet). */
  async resendVerification(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnauthorizedError();
    if (!this.mail.delivers || user.emailVerifiedAt) return;
    await this.mailVerificationLink(user);
  }

  private async mailVerificationLink(user: UserRow): Promise<void> {
    const link = await this.issueLink(user, 'EMAIL_VERIFICATION', this.config.mail.verificationTtlHours * 3_600_000, 'verify-email');
    if (link) this.mail.sendLater(emailVerificationMail(user.email, user.locale, link, this.config.mail.verificationTtlHours), { userId: user.id });
  }

  /** A new one-time link for the account's address, or null when it had enough of them this hour. */
  private async issueLink(user: UserRow, purpose: 'PASSWORD_RESET' | 'EMAIL_VERIFICATION', ttlMs: number, page: string): Promise<string | null> {
    const now = Date.now();
    const token = newSecret(32);
    const kept = await this.users.insertAccountToken(
      { userId: user.id, purpose, tokenHash: secretHash(token), email: user.email, expiresAt: new Date(now + ttlMs) },
      { since: new Date(now - 3_600_000), max: LINKS_PER_HOUR },
    );
    if (!kept) {
      this.logger.warn({ message: 'link not mailed: enough were sent this hour', userId: user.id, purpose });
      return null;
    }
    return `${this.config.mail.linkBase}/${page}/#token=${token}`;
  }

  /**
   * Changes a signed-in user's password, with their current one: every other session ends (the
   * session version in their tokens is bumped), and this one gets a new token. API keys are
   * credentials of their own and stay.
   */
  async changePassword(userId: string, request: ChangePasswordDto): Promise<SessionView> {
    const user = await this.assertPassword(userId, request.currentPassword);
    assertStrongPassword(request.newPassword, user.email);
    const changed = await this.users.changePassword(user.id, await passwordHasher.hash(request.newPassword));
    if (!changed) throw new UnauthorizedError();
    this.logger.log({ message: 'password changed; other sessions ended', userId: user.id });
    return this.session(changed);
  }

  /** The signed-in user's account when `password` is theirs; 400 WRONG_CURRENT_PASSWORD otherwise (asked before a change that matters). */
  async assertPassword(userId: string, password: string): Promise<UserRow> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnauthorizedError();
    if (!(await passwordHasher.verify(user.passwordHash, password))) throw new WrongCurrentPasswordError();
    return user;
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnauthorizedError();
    return this.view(user);
  }

  async setLocale(userId: string, locale: 'ko' | 'en'): Promise<UserView> {
    const user = await this.users.setLocale(userId, locale);
    if (!user) throw new UnauthorizedError();
    return this.view(user);
  }

  /** A user's public view, or null when there is no such user (the admin's look-up). */
  async findUser(userId: string): Promise<UserView | null> {
    const user = await this.users.findById(userId);
    return user ? this.view(user) : null;
  }

  /**
   * Suspends an account (`suspended`) or reactivates it. Its sessions and API keys are refused at
   * once here and within a second elsewhere (SessionUserCache, ApiKeyCache). Admins are not suspended.
   */
  async setSuspended(adminId: string, userId: string, suspended: boolean): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) throw new NotFoundError();
    if (user.role === 'ADMIN') throw new CannotSuspendAdminError();
    const changed = await this.users.setSuspended(userId, suspended ? (user.suspendedAt ?? new Date()) : null);
    if (!changed) throw new NotFoundError();
    this.keyCache.clear();
    this.logger.warn({ message: suspended ? 'account suspended' : 'account reactivated', userId, by: adminId });
    return this.view(changed);
  }

  private view(user: UserRow): UserView {
    return toUserView(user, this.mail.delivers);
  }

  /** Resolves a Bearer token to its user; only HS256 tokens signed with our key are accepted. */
  async authenticate(token: string): Promise<AuthUser> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { secret: this.jwtKey as unknown as string, algorithms: ['HS256'] });
    } catch {
      throw new UnauthorizedError();
    }
    // The role comes from the database, not the token: a demoted admin loses access at once.
    // (As this instance read it less than a second ago: SessionUserCache.)
    const user = typeof claims.sub === 'string' ? await this.users.findForSession(claims.sub, claims.sv ?? 0) : null;
    // A token from before the account changed hands (promotion to admin) or its password changed is void;
    // so is every token of a suspended or deleted account, on every instance at once (the row is read here).
    if (!user || (claims.sv ?? 0) !== user.sessionVersion || user.suspendedAt || user.deletedAt) throw new UnauthorizedError();
    return { id: user.id, email: user.email, role: user.role, verificationPending: this.mail.delivers && user.emailVerifiedAt === null };
  }

  /**
   * Creates the configured administrator account, or keeps it when it is already the admin. An
   * existing account of the same mailbox that is not an admin was registered by someone else (it
   * may be an attacker who registered the address first): it is never promoted with a password
   * the start did not set. The start refuses, unless `promoteExisting` (ADMIN_PROMOTE_EXISTING)
   * says to promote it — then its address and password become the configured ones.
   */
  async ensureAdmin(email: string, password: string, promoteExisting = false): Promise<'created' | 'kept' | 'promoted'> {
    const parsed = parseEmail(email);
    if (!isEmailAddress(parsed)) throw new AdminBootstrapError(`ADMIN_EMAIL ${parsed.problem}.`);
    // The address itself first: on a database from before canonical addresses, an older look-alike
    // may hold the canonical form while the admin keeps its own address.
    const existing = (await this.users.findByEmail(parsed.address)) ?? (await this.users.findByCanonicalEmail(parsed.canonical));
    if (existing?.role === 'ADMIN') return 'kept';
    const weak = passwordProblem(password, [parsed.address.split('@')[0]!]);
    if (weak) throw new AdminBootstrapError(`ADMIN_PASSWORD ${weak}.`);
    if (existing) {
      if (!promoteExisting) {
        throw new AdminBootstrapError(
          `ADMIN_EMAIL ${parsed.address} belongs to an existing account (${existing.email}, created ${existing.createdAt.toISOString()}) ` +
            'that the start did not create, so its password is not ADMIN_PASSWORD. It is not promoted. ' +
            'If that account is yours, set ADMIN_PROMOTE_EXISTING=true: it becomes the admin with ADMIN_EMAIL and ADMIN_PASSWORD.',
        );
      }
      await this.users.makeAdmin(existing.id, parsed.address, await passwordHasher.hash(password));
      // Its earlier holder's keys were revoked with it: not used again from what this instance read.
      this.keyCache.clear();
      this.logger.warn({ message: 'role changed', userId: existing.id, email: parsed.address, from: existing.role, to: 'ADMIN', by: 'ADMIN_PROMOTE_EXISTING' });
      return 'promoted';
    }
    const created = await this.createUser(parsed.address, password, 'ADMIN', 'ko');
    if (!created) {
      // Workers of one cluster (or instances) starting together with the same ADMIN_EMAIL: one of
      // them made the admin, which is this start's admin too. Anything else took the address.
      const winner = (await this.users.findByEmail(parsed.address)) ?? (await this.users.findByCanonicalEmail(parsed.canonical));
      if (winner?.role === 'ADMIN') return 'kept';
      throw new AdminBootstrapError(`ADMIN_EMAIL ${parsed.address} could not be created: another account took it during the start. Start again.`);
    }
    this.logger.log({ message: 'role changed', userId: created.id, email: parsed.address, from: null, to: 'ADMIN', by: 'ADMIN_EMAIL' });
    return 'created';
  }

  /**
   * Creates a user and their token account in one transaction; null when the mailbox has an
   * account. `verified`: the address counts as verified (an operator configured it: the admin,
   * demo accounts); a registration's is not until its owner opens the mailed link.
   */
  async createUser(email: string, password: string, role: Role, locale: 'ko' | 'en', verified = true): Promise<UserRow | null> {
    const parsed = parseEmail(email);
    if (!isEmailAddress(parsed)) throw new ValidationFailedError([{ field: 'email', problems: [parsed.problem] }]);
    const passwordHash = await passwordHasher.hash(password);
    return this.users.db.transaction(async (tx) => {
      const user = await this.users.insert(tx, {
        email: parsed.address,
        emailCanonical: parsed.canonical,
        passwordHash,
        role,
        locale,
        emailVerifiedAt: verified ? new Date() : null,
      });
      if (user) await this.accounts.openAccount(tx, user.id);
      return user;
    });
  }

  /**
   * Gives accounts made before canonical addresses existed their canonical address. When two old
   * accounts share a mailbox, an admin or else the older keeps it and the other gets one of its
   * own (both still sign in); new look-alikes of either are refused from then on. Safe on several
   * instances.
   */
  async fillCanonicalEmails(): Promise<number> {
    let filled = 0;
    for (let rows = await this.users.withoutCanonicalEmail(500); rows.length > 0; rows = await this.users.withoutCanonicalEmail(500)) {
      for (const row of rows) {
        const parsed = parseEmail(row.email);
        const canonical = isEmailAddress(parsed) ? parsed.canonical : row.email;
        if (!(await this.users.setCanonicalEmail(row.id, canonical))) {
          await this.users.setCanonicalEmail(row.id, `${canonical}#${row.id}`);
          this.logger.warn({ message: 'account shares its mailbox with an older one', userId: row.id, email: row.email });
        }
        filled += 1;
      }
    }
    return filled;
  }

  private async session(user: UserRow): Promise<SessionView> {
    const claims: TokenClaims = { sub: user.id, role: user.role, sv: user.sessionVersion };
    const accessToken = await this.jwt.signAsync(claims, {
      secret: this.jwtKey as unknown as string,
      algorithm: 'HS256',
      expiresIn: this.config.jwt.expiresInSeconds,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.jwt.expiresInSeconds, user: this.view(user) };
  }
}
