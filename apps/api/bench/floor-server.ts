/**
 * The floor of a metered turn on this machine: a bare `node:http` + `pg` server (no framework, no
 * model call, no query builder) that sends PostgreSQL exactly the statements a metered
 * `POST /api/chat/send` sends — the same tables, the same SQL texts, the same prepared statements
 * — and answers with the same shape. `bench:chat` runs it as a child process next to the API and
 * divides the API's turns/s by its own: what the stack around the metering costs.
 *
 * The texts below are the API's, as it sends them (`floor-server.test.ts` records a real metered
 * turn on PostgreSQL and fails when they differ). The floor reads the user's row on every turn, as
 * the API did when the issue set the floor (issue 18); the API now reads it once a second per
 * session and instance (SessionUserCache) — a saving the ratio shows. What the floor leaves out:
 * validation, tokenizing, the model's HTTP call and stream, Nest, Express, drizzle, the logs and
 * metrics.
 *
 * Run: `node dist-tools/bench/floor-server.js` with PORT, DATABASE_URL, JWT_SECRET (HS256 sessions,
 * as the API's), DATABASE_POOL_SIZE.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The completion the floor pretends the model returned (the bench's fake model says as much). */
const REPLY = { text: '네, 말씀해 주세요. 어떤 고민이 있으신가요?', promptTokens: 40, completionTokens: 12 };
/** What the API holds for such a turn on the default model: the prompt's estimate and the plan's completion limit. */
const HOLD_TOKENS = 1066;
const HOLD_MINUTES = 5;

const USER_SELECT = `select "id", "email", "email_canonical", "password_hash", "session_version", "role", "locale", "email_verified_at", "suspended_at", "deleted_at", "created_at" from "users" where "users"."id" = $1`;
const ACCOUNT_SELECT = `select "user_id", "organization_id", "period_key", "free_tokens", "purchased_tokens", "debt_tokens", "held_tokens", "period_capacity_tokens", "period_consumed_tokens", "plan_id", "next_plan_id", "plan_paid_through", "open_holds", "version" from "token_accounts" where "token_accounts"."user_id" = $1`;
const RECENT_TURNS = `select count(*) as count from token_holds where user_id = $1 and created_at > $2::timestamptz`;

const ACCOUNT_CTE = (first: number, conversationGuard: boolean) => `
        with account as (
          update token_accounts
          set period_key = $1, free_tokens = $2, purchased_tokens = $3,
              debt_tokens = $4, held_tokens = $5,
              period_capacity_tokens = $6, period_consumed_tokens = $7,
              plan_id = $8, next_plan_id = $9::text, plan_paid_through = $10::text,
              -- relative, and never below 0: a hold closed by a build from before the counter (0013) cannot make it fail
              open_holds = greatest(0, open_holds + $11::int),
              version = version + 1, updated_at = $12::timestamptz , last_active_at = $13::timestamptz
          where user_id = $14 and version = $15
              and ($16::uuid is null or exists (select 1 from token_holds where id = $17::uuid and status = $18::text)) ${conversationGuard ? `and not exists (select 1 from conversations where id = $19::uuid and user_id <> $20::uuid)` : ''}
          returning user_id, version
        ), opened as (
          insert into token_holds (id, user_id, member_id, api_key_id, tokens, period_key, purpose, expires_at, created_at)
          select $${first}::uuid, user_id, $${first + 1}::uuid, $${first + 2}::uuid, $${first + 3}::bigint, $${first + 4}, $${first + 5}::text,
                 $${first + 6}::timestamptz, $${first + 7}::timestamptz
          from account where $${first + 8}::boolean
          returning id
        ), closed as (
          update token_holds set status = $${first + 9}::text, closed_at = $${first + 10}::timestamptz
          from account where token_holds.id = $${first + 11}::uuid and token_holds.status = $${first + 12}::text
          returning token_holds.id
        ), appended as (
          insert into ledger_entries (user_id, member_id, api_key_id, period_key, kind, amount_tokens, free_delta, purchased_delta, debt_delta, held_delta,
                                      capacity_delta, consumed_delta, hold_id, payment_id, actor_id, reason, metadata, created_at)
          select account.user_id, e.member_id, e.api_key_id, $${first + 13}, e.kind, e.amount_tokens, e.free_delta, e.purchased_delta, e.debt_delta, e.held_delta,
                 e.capacity_delta, e.consumed_delta, e.hold_id, e.payment_id, e.actor_id, e.reason, e.metadata, $${first + 14}::timestamptz
          from account,
               jsonb_to_recordset($${first + 15}::jsonb) as e(ord int, kind text, amount_tokens bigint, free_delta bigint,
                 purchased_delta bigint, debt_delta bigint, held_delta bigint, capacity_delta bigint, consumed_delta bigint,
                 hold_id uuid, member_id uuid, api_key_id uuid, payment_id uuid, actor_id uuid, reason text, metadata jsonb)
          order by e.ord
          returning id)`;

const RESERVE = `${ACCOUNT_CTE(19, false)}
        select (select count(*) from account)::int as applied, (select version from account) as version,
               coalesce((select json_agg(id order by id) from appended), '[]'::json) as entry_ids,
               ledger_assert(
                 not exists (select 1 from account)
                   or ((select count(*) from opened) = $35::int and (select count(*) from closed) = $36::int
                       and (select count(*) from appended) = $37::int
                       
                       
                       ),
                 'ledger write incomplete for account ' || $38::text
               ) as complete
               
      `;

const SETTLE = `${ACCOUNT_CTE(21, true)}, 
        conversation as (
          insert into conversations (id, user_id, organization_id, title, model, turn_count, charged_tokens, created_at, updated_at)
          select $37::uuid, $38::uuid, $39::uuid, $40::text, $41::text, 1,
                 $42::bigint, $43::timestamptz, $44::timestamptz
          where exists (select 1 from account)
          on conflict (id) do update
            set turn_count = conversations.turn_count + 1,
                charged_tokens = conversations.charged_tokens + excluded.charged_tokens,
                model = excluded.model,
                updated_at = excluded.updated_at
            -- Never touches a row of another user or workspace, whatever id a client sends.
            where conversations.user_id = excluded.user_id and conversations.organization_id is not distinct from excluded.organization_id
          returning id
        ), inserted as (
          insert into messages (conversation_id, role, content, content_tokens, model, prompt_tokens, completion_tokens, charged_tokens,
                                purchased_tokens, free_tokens, overage_tokens, ledger_entry_id, usage_estimated, created_at)
          select conversation.id, m.role, m.content, m.content_tokens, m.model, m.prompt_tokens, m.completion_tokens, m.charged_tokens,
                 m.purchased_tokens, m.free_tokens, m.overage_tokens,
                 coalesce(m.ledger_entry_id, case when m.role = 'assistant' then (select min(id) from appended) end), m.usage_estimated, $45::timestamptz
          from conversation,
               jsonb_to_recordset($46::jsonb) as m(ord int, role text, content text, content_tokens int, model text, prompt_tokens int,
                 completion_tokens int, charged_tokens bigint, purchased_tokens bigint, free_tokens bigint, overage_tokens bigint,
                 ledger_entry_id bigint, usage_estimated boolean)
          order by m.ord
          returning id
        )
        select (select count(*) from account)::int as applied, (select version from account) as version,
               coalesce((select json_agg(id order by id) from appended), '[]'::json) as entry_ids,
               ledger_assert(
                 not exists (select 1 from account)
                   or ((select count(*) from opened) = $47::int and (select count(*) from closed) = $48::int
                       and (select count(*) from appended) = $49::int
                       
                       
                       and (select count(*) from conversation) = 1 and (select count(*) from inserted) = 2),
                 'ledger write incomplete for account ' || $50::text
               ) as complete
               , (select count(*) from conversation)::int as saved, (select max(id) from inserted) as assistant_id
      `;

/** A metered turn's statements, in the order the API sends them (the second and third at the same time): name (null: unnamed) and text. */
export const FLOOR_STATEMENTS: ReadonlyArray<{ name: string | null; text: string }> = [
  { name: null, text: USER_SELECT },
  { name: 'ledger_find_account', text: ACCOUNT_SELECT },
  { name: null, text: RECENT_TURNS },
  { name: 'ledger_apply_cas_active', text: RESERVE },
  { name: 'ledger_apply_cas_active_chat_turn', text: SETTLE },
];

interface Account {
  user_id: string;
  period_key: string;
  free_tokens: string;
  purchased_tokens: string;
  debt_tokens: string;
  held_tokens: string;
  period_capacity_tokens: string;
  period_consumed_tokens: string;
  plan_id: string;
  next_plan_id: string | null;
  plan_paid_through: string | null;
  version: number;
}

/** The session's user id when `header` carries an HS256 token signed with `key`, else null. */
function sessionUser(header: string | undefined, key: Buffer): string | null {
  const token = header?.startsWith('Bearer ') ? header.slice(7) : null;
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return null;
  const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { sub?: unknown; exp?: number };
  return typeof claims.sub === 'string' && (claims.exp ?? 0) * 1000 > Date.now() ? claims.sub : null;
}

function entry(kind: string, holdId: string, deltas: { free: number; held: number; consumed: number; amount: number }, metadata: unknown) {
  return {
    ord: 0,
    kind,
    reason: null,
    hold_id: holdId,
    actor_id: null,
    metadata,
    member_id: null,
    api_key_id: null,
    debt_delta: 0,
    free_delta: deltas.free,
    held_delta: deltas.held,
    payment_id: null,
    amount_tokens: deltas.amount,
    capacity_delta: 0,
    consumed_delta: deltas.consumed,
    purchased_delta: 0,
  };
}

/** The account's columns as the CAS sets them ($1–$15), after `change`. */
function accountParams(account: Account, change: { free: number; held: number; consumed: number; openHolds: number }, at: string, version: number) {
  return [
    account.period_key,
    Number(account.free_tokens) + change.free,
    Number(account.purchased_tokens),
    Number(account.debt_tokens),
    Number(account.held_tokens) + change.held,
    Number(account.period_capacity_tokens),
    Number(account.period_consumed_tokens) + change.consumed,
    account.plan_id,
    account.next_plan_id,
    account.plan_paid_through,
    change.openHolds,
    at,
    at,
    account.user_id,
    version,
  ];
}

async function turn(pool: pg.Pool, userId: string, message: string): Promise<{ status: number; body: unknown }> {
  const user = (await pool.query(USER_SELECT, [userId])).rows[0] as { session_version: number; suspended_at: Date | null; deleted_at: Date | null } | undefined;
  if (!user || user.suspended_at || user.deleted_at) return { status: 401, body: { code: 'UNAUTHORIZED' } };
  // As the API: the account and the turns of the last minute read at the same time.
  const [found] = await Promise.all([
    pool.query({ name: 'ledger_find_account', text: ACCOUNT_SELECT, values: [userId] }),
    pool.query(RECENT_TURNS, [userId, new Date(Date.now() - 60_000).toISOString()]),
  ]);
  const account = found.rows[0] as Account | undefined;
  if (!account) return { status: 404, body: { code: 'NO_ACCOUNT' } };

  const holdId = randomUUID();
  const reservedAt = new Date();
  const at = reservedAt.toISOString();
  const reserve = await pool.query({
    name: 'ledger_apply_cas_active',
    text: RESERVE,
    values: [
      ...accountParams(account, { free: 0, held: HOLD_TOKENS, consumed: 0, openHolds: 1 }, at, account.version),
      null, null, null,
      holdId, null, null, HOLD_TOKENS, account.period_key, 'chat', new Date(reservedAt.getTime() + HOLD_MINUTES * 60_000).toISOString(), at, true,
      null, at, null, null,
      account.period_key, at, JSON.stringify([entry('HOLD', holdId, { free: 0, held: HOLD_TOKENS, consumed: 0, amount: HOLD_TOKENS }, null)]),
      1, 0, 1, userId,
    ],
  });
  if (reserve.rows[0].applied !== 1) return { status: 409, body: { code: 'CONCURRENT_CHANGE' } };

  // (The model's turn would run here.)
  const charged = REPLY.promptTokens + REPLY.completionTokens;
  const conversationId = randomUUID();
  const settledAt = new Date().toISOString();
  const reserved = { ...account, held_tokens: String(Number(account.held_tokens) + HOLD_TOKENS) };
  const settle = await pool.query({
    name: 'ledger_apply_cas_active_chat_turn',
    text: SETTLE,
    values: [
      ...accountParams(reserved, { free: -charged, held: -HOLD_TOKENS, consumed: charged, openHolds: -1 }, settledAt, Number(reserve.rows[0].version)),
      holdId, holdId, 'OPEN', conversationId, userId,
      null, null, null, null, account.period_key, null, null, settledAt, false,
      'SETTLED', settledAt, holdId, 'OPEN',
      account.period_key, settledAt,
      JSON.stringify([entry('CONSUMPTION', holdId, { free: -charged, held: -HOLD_TOKENS, consumed: charged, amount: charged }, { model: 'consult-basic', estimated: false, promptTokens: REPLY.promptTokens, conversationId, completionTokens: REPLY.completionTokens })]),
      conversationId, userId, null, message.slice(0, 40), 'consult-basic', charged, settledAt, settledAt, settledAt,
      JSON.stringify([
        { ord: 0, role: 'user', model: null, content: message, free_tokens: null, prompt_tokens: null, charged_tokens: null, content_tokens: 2, overage_tokens: null, ledger_entry_id: null, usage_estimated: false, purchased_tokens: null, completion_tokens: null },
        { ord: 1, role: 'assistant', model: 'consult-basic', content: REPLY.text, free_tokens: charged, prompt_tokens: REPLY.promptTokens, charged_tokens: charged, content_tokens: REPLY.completionTokens, overage_tokens: 0, ledger_entry_id: null, usage_estimated: false, purchased_tokens: 0, completion_tokens: REPLY.completionTokens },
      ]),
      0, 1, 1, userId,
    ],
  });
  const row = settle.rows[0] as { applied: number; assistant_id: string };
  if (row.applied !== 1) return { status: 409, body: { code: 'CONCURRENT_CHANGE' } };
  const remaining = Number(account.free_tokens) + Number(account.purchased_tokens) - charged;
  return {
    status: 200,
    body: {
      conversationId,
      messageId: Number(row.assistant_id),
      model: 'consult-basic',
      content: REPLY.text,
      usage: { promptTokens: REPLY.promptTokens, completionTokens: REPLY.completionTokens, chargedTokens: charged, purchasedTokens: 0, freeTokens: charged, overageTokens: 0, estimated: false },
      warning: null,
      level: 'NORMAL',
      usagePercent: 0,
      remainingTokens: remaining,
    },
  };
}

/** The floor server, listening on `port` (0: any free port). */
export async function startFloorServer(options: { port: number; databaseUrl: string; jwtSecret: string; poolSize: number }): Promise<{ port: number; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  const key = Buffer.from(options.jwtSecret, 'utf8');
  const server = http.createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    if (request.url === '/health') return reply(200, { status: 'ok' });
    if (request.method !== 'POST' || request.url !== '/api/chat/send') return reply(404, { code: 'NOT_FOUND' });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const userId = sessionUser(request.headers.authorization, key);
      if (!userId) return reply(401, { code: 'UNAUTHORIZED' });
      let message: unknown;
      try {
        message = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: unknown }).message;
      } catch {
        return reply(400, { code: 'VALIDATION_FAILED' });
      }
      if (typeof message !== 'string' || message.length === 0) return reply(400, { code: 'VALIDATION_FAILED' });
      turn(pool, userId, message).then(
        (result) => reply(result.status, result.body),
        (error: unknown) => reply(500, { code: 'INTERNAL', message: String(error) }),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const floor = await startFloorServer({
    port: Number(process.env.PORT ?? 3_902),
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    jwtSecret: process.env.JWT_SECRET ?? '',
    poolSize: Number(process.env.DATABASE_POOL_SIZE ?? 20),
  });
  process.once('SIGTERM', () => void floor.close().then(() => process.exit(0)));
}
