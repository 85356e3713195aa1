import type { INestApplication } from '@nestjs/common';
import { createApp } from '../src/app.factory.js';
import { AuthService } from '../src/auth/auth.service.js';
import { ManualClock } from '../src/common/clock.js';
import type { AppConfig } from '../src/config/app-config.js';
import type { DatabaseHandle } from '../src/database/database.js';
import { createTestDatabase } from './test-database.js';
import { testConfig, UNCAPPED_PLANS } from './test-config.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** The real Nest application on its own test database, listening on a free port. */
export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  clock: ManualClock;
  database: DatabaseHandle;
  baseUrl: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies without declaring each shape
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Registers a fresh user and returns their id and token. */
  signUp(prefix?: string): Promise<{ id: string; token: string; email: string }>;
  /** An administrator's session. */
  signUpAdmin(): Promise<{ id: string; token: string; email: string }>;
  /** An organization created by `owner` (its owner); its id. */
  createOrganization(owner: { token: string }, name?: string): Promise<string>;
  /** A user (a new one, named by `prefix`, unless `user` is given) who joined the organization through an invitation link of `owner`'s, with `role`. */
  joinOrganization(
    owner: { token: string },
    organizationId: string,
    options?: { role?: 'ADMIN' | 'MEMBER'; user?: { id: string; token: string; email: string }; prefix?: string },
  ): Promise<{ id: string; token: string; email: string }>;
  close(): Promise<void>;
}

let counter = 0;

export async function createTestApp(
  overrides: Record<string, string> = {},
  start = new Date('2026-11-10T03:00:00Z'),
  /** Another instance's database: a second API process on the same data (closed by its owner). */
  shared?: DatabaseHandle,
  /** The read pool of the statistics and reports (as DATABASE_READ_URL opens it; closed by its owner); default: `database`. */
  readDatabase?: DatabaseHandle,
): Promise<TestApp> {
  const database = shared ?? (await createTestDatabase());
  const config = testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_MINUTE: '100000', REGISTER_RATE_LIMIT_PER_HOUR: '100000', PLANS: UNCAPPED_PLANS, ...overrides });
  const clock = new ManualClock(start);
  const app = await createApp({ config, database, readDatabase, clock });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as in TestApp.request
  async function request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    } else if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (HTML of Swagger UI, for instance): the raw text is the body.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  async function signUp(prefix = 'user') {
    counter += 1;
    const email = `${prefix}-${process.pid}-${counter}-${Date.now()}@test.local`;
    const response = await request('POST', '/api/auth/register', { body: { email, password: 'password-123' } });
    if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${JSON.stringify(response.body)}`);
    return { id: response.body.user.id as string, token: response.body.accessToken as string, email };
  }

  async function signUpAdmin() {
    counter += 1;
    const email = `admin-${process.pid}-${counter}-${Date.now()}@test.local`;
    await app.get(AuthService).ensureAdmin(email, 'admin-password-123');
    const response = await request('POST', '/api/auth/login', { body: { email, password: 'admin-password-123' } });
    return { id: response.body.user.id as string, token: response.body.accessToken as string, email };
  }

  async function createOrganization(owner: { token: string }, name = '온길 상담센터') {
    const created = await request('POST', '/api/organizations', { token: owner.token, body: { name } });
    if (created.status !== 201) throw new Error(`organization not created: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id as string;
  }

  async function joinOrganization(
    owner: { token: string },
    organizationId: string,
    { role = 'MEMBER', user, prefix = 'member' }: { role?: 'ADMIN' | 'MEMBER'; user?: { id: string; token: string; email: string }; prefix?: string } = {},
  ) {
    const member = user ?? (await signUp(prefix));
    const link = await request('POST', `/api/organizations/${organizationId}/invitations`, { token: owner.token, body: { role } });
    if (link.status !== 201) throw new Error(`no invitation: ${link.status} ${JSON.stringify(link.body)}`);
    const accepted = await request('POST', '/api/organizations/invitations/accept', { token: member.token, body: { token: link.body.token } });
    if (accepted.status !== 200) throw new Error(`invitation not accepted: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return member;
  }

  return {
    app,
    config,
    clock,
    database,
    baseUrl,
    request,
    signUp,
    signUpAdmin,
    createOrganization,
    joinOrganization,
    close: async () => {
      await app.close();
      if (!shared) await database.close();
    },
  };
}
