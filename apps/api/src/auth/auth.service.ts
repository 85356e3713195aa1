import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { EmailTakenError, InvalidCredentialsError, UnauthorizedError } from '../common/errors.js';
import { LedgerService } from '../quota/ledger.service.js';
import type { AuthUser } from './auth.decorators.js';
import type { LoginDto, RegisterDto, SessionView, UserView } from './auth.dto.js';
import { passwordHasher } from './password-hasher.js';
import { UsersRepository, type Role, type UserRow } from './users.repository.js';

interface TokenClaims {
  sub: string;
  role: Role;
}

export function toUserView(user: UserRow): UserView {
  return { id: user.id, email: user.email, role: user.role, locale: user.locale, createdAt: user.createdAt.toISOString() };
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
    private readonly ledger: LedgerService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.jwtKey = createSecretKey(Buffer.from(config.jwt.secret, 'utf8'));
  }

  async register(request: RegisterDto): Promise<SessionView> {
    const user = await this.createUser(request.email, request.password, 'USER', request.locale ?? 'ko');
    if (!user) throw new EmailTakenError();
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
    return this.session(user);
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnauthorizedError();
    return toUserView(user);
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
    const user = typeof claims.sub === 'string' ? await this.users.findById(claims.sub) : null;
    if (!user) throw new UnauthorizedError();
    return { id: user.id, email: user.email, role: user.role };
  }

  /** Creates (or keeps, promoting it to ADMIN) the configured administrator account. */
  async ensureAdmin(email: string, password: string): Promise<'created' | 'kept'> {
    const existing = await this.users.findByEmail(email);
    if (existing) {
      if (existing.role !== 'ADMIN') await this.users.setRole(existing.id, 'ADMIN');
      return 'kept';
    }
    const created = await this.createUser(email, password, 'ADMIN', 'ko');
    if (!created) return 'kept';
    this.logger.log({ message: 'admin account created', email });
    return 'created';
  }

  /** Creates a user and their token account in one transaction; null when the email is taken. */
  async createUser(email: string, password: string, role: Role, locale: 'ko' | 'en'): Promise<UserRow | null> {
    const passwordHash = await passwordHasher.hash(password);
    return this.users.db.transaction(async (tx) => {
      const user = await this.users.insert(tx, { email: email.toLowerCase(), passwordHash, role, locale });
      if (user) await this.ledger.openAccount(tx, user.id);
      return user;
    });
  }

  private async session(user: UserRow): Promise<SessionView> {
    const claims: TokenClaims = { sub: user.id, role: user.role };
    const accessToken = await this.jwt.signAsync(claims, {
      secret: this.jwtKey as unknown as string,
      algorithm: 'HS256',
      expiresIn: this.config.jwt.expiresInSeconds,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.jwt.expiresInSeconds, user: toUserView(user) };
  }
}
