import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { LEDGER_CSV_COLUMNS } from './organization-ledger-csv.js';
import { LEDGER_EXPORT_MAX_ROWS } from './organization-reports.service.js';

type User = { id: string; token: string; email: string };

let api: TestApp;
let admin: User;

beforeAll(async () => {
  api = await createTestApp();
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await api?.close();
});

const DAY_MS = 86_400_000;

const organization = (owner: User, name?: string) => api.createOrganization(owner, name);
const join = (owner: User, organizationId: string, role: 'ADMIN' | 'MEMBER' = 'MEMBER', prefix = 'member') => api.joinOrganization(owner, organizationId, { role, prefix });

/** A turn in the pool; the tokens it was charged. */
async function turn(user: User, organizationId: string): Promise<number> {
  const sent = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '조직 토큰으로 상담합니다', organizationId } });
  expect(sent.status).toBe(200);
  return sent.body.usage.chargedTokens as number;
}

/** The local day (Asia/Seoul) of the test clock, `offset` days on. */
const day = (offset = 0) => new Date(api.clock.now().getTime() + 9 * 3_600_000 + offset * DAY_MS).toISOString().slice(0, 10);

const daily = (user: User, organizationId: string, memberId: string, query = '') => api.request('GET', `/api/organizations/${organizationId}/members/${memberId}/daily${query}`, { token: user.token });
const csv = (user: User, organizationId: string, query = '') => api.request('GET', `/api/organizations/${organizationId}/ledger.csv${query}`, { token: user.token });

/** The file as sent, its byte order mark kept (a fetch's `text()` drops it). */
async function download(user: User, organizationId: string, query = '') {
  const response = await fetch(`${api.baseUrl}/api/organizations/${organizationId}/ledger.csv${query}`, { headers: { authorization: `Bearer ${user.token}` } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

describe("a member's daily use of the pool", () => {
  it('counts only that member’s turns, per day in the quota time zone, zeros included', async () => {
    const owner = await api.signUp('daily-owner');
    const id = await organization(owner);
    const member = await join(owner, id);
    const first = await turn(member, id);
    await turn(owner, id);
    const firstDay = day();
    api.clock.advance(2 * DAY_MS);
    const second = await turn(member, id);

    const series = await daily(owner, id, member.id, '?days=3');
    expect(series.status).toBe(200);
    expect(series.body).toEqual([
      { day: firstDay, tokens: first },
      { day: day(-1), tokens: 0 },
      { day: day(), tokens: second },
    ]);
    expect((await daily(owner, id, member.id)).body).toHaveLength(30);
    // The member reads their own; the owner's own series holds only the owner's turn.
    expect((await daily(member, id, member.id, '?days=3')).body).toEqual(series.body);
    expect((await daily(owner, id, owner.id, '?days=3')).body.map((point: { tokens: number }) => point.tokens > 0)).toEqual([true, false, false]);
  });

  it('is another member’s only for owners and admins; to anyone else it does not exist', async () => {
    const owner = await api.signUp('daily-private');
    const id = await organization(owner);
    const member = await join(owner, id);
    const helper = await join(owner, id, 'ADMIN');
    const stranger = await api.signUp('daily-stranger');
    expect((await daily(helper, id, member.id)).status).toBe(200);
    expect((await daily(member, id, owner.id)).status).toBe(404);
    expect((await daily(member, id, helper.id)).status).toBe(404);
    expect((await daily(stranger, id, member.id)).status).toBe(404);
    expect((await daily(stranger, id, stranger.id)).status).toBe(404);
    // Someone who is not a member has no series, even for the owner.
    expect((await daily(owner, id, stranger.id)).status).toBe(404);
    expect((await daily(owner, id, 'not-a-uuid')).status).toBe(404);
  });

  it('goes back 1 to 90 days', async () => {
    const owner = await api.signUp('daily-bounds');
    const id = await organization(owner);
    for (const query of ['?days=0', '?days=91', '?days=1.5', '?days=abc', '?days=-1', '?other=1']) {
      expect((await daily(owner, id, owner.id, query)).status, query).toBe(400);
    }
    expect((await daily(owner, id, owner.id, '?days=1')).body).toHaveLength(1);
    expect((await daily(owner, id, owner.id, '?days=90')).body).toHaveLength(90);
  });
});

describe("a member's own history in the pool", () => {
  const history = (user: User, organizationId: string, memberId: string, query = '') =>
    api.request('GET', `/api/organizations/${organizationId}/members/${memberId}/history${query}`, { token: user.token });

  it('lists only that member’s entries, newest first, a page at a time; the same access as the daily use', async () => {
    const owner = await api.signUp('history-owner');
    const id = await organization(owner);
    const member = await join(owner, id);
    const other = await join(owner, id, 'MEMBER', 'other');
    await turn(member, id);
    await turn(other, id);
    await turn(member, id);
    const page = await history(member, id, member.id, '?limit=2');
    expect(page.status).toBe(200);
    const ids = (items: { id: number }[]) => items.map((item) => item.id);
    expect(ids(page.body.items)).toEqual([...ids(page.body.items)].sort((a, b) => b - a));
    const all = [...page.body.items];
    let cursor = page.body.nextCursor as number | null;
    while (cursor) {
      const next = await history(member, id, member.id, `?limit=2&before=${cursor}`);
      all.push(...next.body.items);
      cursor = next.body.nextCursor;
    }
    // Two turns (a hold and its settlement each) — none of the other member's, and nothing of the pool's own (its monthly grant).
    expect(all.length).toBe(4);
    const pool = (await api.request('GET', `/api/organizations/${id}/ledger?limit=100`, { token: owner.token })).body.items as { id: number }[];
    expect(pool.length).toBeGreaterThan(all.length);
    // The member's own turns link to their conversations; to the owner they are use, not conversations.
    const mine = (await history(member, id, member.id)).body.items as { conversationId: string | null; metadata: Record<string, unknown> | null; kind: string }[];
    const seen = (await history(owner, id, member.id)).body.items as typeof mine;
    expect(seen.map((item) => item.kind)).toEqual(mine.map((item) => item.kind));
    expect(mine.some((item) => item.conversationId !== null)).toBe(true);
    expect(seen.every((item) => item.conversationId === null && !(item.metadata && 'conversationId' in item.metadata))).toBe(true);
    const poolView = (await api.request('GET', `/api/organizations/${id}/ledger?limit=100`, { token: owner.token })).body.items as typeof mine;
    // The pool's ledger names whose turn each entry was (the pool's own entries: nobody's).
    const emails = new Set((poolView as unknown as { memberEmail: string | null }[]).map((item) => item.memberEmail));
    expect(emails).toEqual(new Set([member.email, other.email, null]));
    // The pool's ledger, read by an owner who had no turn: every turn is someone else's.
    expect(poolView.filter((item) => item.kind === 'CONSUMPTION' || item.kind === 'HOLD').length).toBeGreaterThan(0);
    expect(poolView.every((item) => item.conversationId === null && !(item.metadata && 'conversationId' in item.metadata))).toBe(true);
    expect((await history(member, id, other.id)).status).toBe(404);
    expect((await history(member, id, owner.id)).status).toBe(404);
  });
});

describe("the pool's ledger as CSV", () => {
  it('has the byte order mark, the header and one line per entry, with each turn’s member and formulas neutralized', async () => {
    const owner = await api.signUp('csv-owner');
    const id = await organization(owner, '=온길 "상담", 센터');
    const sneaky = await join(owner, id, 'MEMBER', '=cmd');
    await turn(sneaky, id);
    await turn(owner, id);
    const adjusted = await api.request('POST', `/api/admin/users/${id}/adjustments`, { token: admin.token, body: { tokens: 1_000, reason: '@SUM(1+1) 보상' } });
    expect(adjusted.status).toBe(200);

    const file = await download(owner, id);
    expect(file.status).toBe(200);
    expect([...file.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(file.headers.get('content-disposition')).toContain(`filename="ledger-${day(-29)}-${day()}.csv"`);
    expect(file.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('=온길 "상담", 센터')}`);
    const text = file.text;
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(LEDGER_CSV_COLUMNS.join(','));

    const json = await api.request('GET', `/api/organizations/${id}/ledger?limit=100`, { token: owner.token });
    const entries = [...json.body.items].reverse();
    expect(lines).toHaveLength(1 + entries.length);
    const rows = lines.slice(1).map((line) => line.match(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)!.map((cell) => cell.replace(/,$/, '')));
    expect(rows.map((row) => Number(row[0]))).toEqual(entries.map((entry: { id: number }) => entry.id));
    const consumption = entries.findIndex((entry: { kind: string }) => entry.kind === 'CONSUMPTION');
    const row = rows[consumption]!;
    const entry = entries[consumption];
    expect(row.slice(1, 4)).toEqual([`"${entry.createdAt}"`, expect.stringMatching(/^"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00"$/), '"CONSUMPTION"']);
    expect(row[5]).toBe(`"'${sneaky.email}"`);
    expect(row.slice(6, 11).map(Number)).toEqual([entry.amountTokens, entry.freeDelta, entry.purchasedDelta, entry.overageDelta, entry.heldDelta]);
    expect(text).toContain(`"'@SUM(1+1) 보상"`);
    expect(text).not.toContain('조직 토큰으로 상담합니다');
  });

  it('holds the entries of the days asked, in the quota time zone', async () => {
    const owner = await api.signUp('csv-range');
    const id = await organization(owner);
    await turn(owner, id);
    const firstDay = day();
    api.clock.advance(DAY_MS);
    await turn(owner, id);
    const kinds = (text: string) => text.trim().split('\r\n').slice(1).length;
    const both = kinds(String((await csv(owner, id, `?from=${firstDay}&to=${day()}`)).body));
    const first = kinds(String((await csv(owner, id, `?from=${firstDay}&to=${firstDay}`)).body));
    const second = kinds(String((await csv(owner, id, `?from=${day()}&to=${day()}`)).body));
    expect(first).toBeGreaterThan(0);
    expect(second).toBe(2); // the second turn's hold and charge
    expect(both).toBe(first + second);
    expect((await download(owner, id, `?from=${day(1)}&to=${day(1)}`)).text).toBe(`\uFEFF${LEDGER_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('covers at most 366 days, from a real date to a later one', async () => {
    const owner = await api.signUp('csv-bounds');
    const id = await organization(owner);
    for (const query of ['?from=2026-11-10&to=2026-11-09', '?from=2025-11-09&to=2026-11-10', '?from=2026-02-30', '?to=2026-13-01', '?from=20261101', '?from=2026-11-01T00:00:00Z', '?days=3']) {
      const refused = await csv(owner, id, query);
      expect(refused.status, query).toBe(400);
      expect(refused.body.code, query).toBe('VALIDATION_FAILED');
    }
    expect((await csv(owner, id, '?from=2025-11-10&to=2026-11-10')).status).toBe(200);
  });

  it(`refuses more than ${LEDGER_EXPORT_MAX_ROWS.toLocaleString('en')} entries with 413, before sending any`, async () => {
    const owner = await api.signUp('csv-cap');
    const id = await organization(owner);
    const at = api.clock.now().toISOString();
    // Entries that change nothing: the books still balance, and there are one too many of them.
    await api.database.db.execute(sql`
      insert into ledger_entries (user_id, kind, period_key, amount_tokens, reason, created_at)
      select ${id}::uuid, 'ADJUSTMENT', '2026-11', 0, 'bulk', ${at}::timestamptz from generate_series(1, ${LEDGER_EXPORT_MAX_ROWS})`);
    const refused = await csv(owner, id);
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toContain('application/json');
    expect(refused.body).toMatchObject({ code: 'EXPORT_TOO_LARGE', rows: LEDGER_EXPORT_MAX_ROWS + 1, maxRows: LEDGER_EXPORT_MAX_ROWS });
  });

  it('reads a long ledger batch by batch, every entry once, oldest first', async () => {
    const owner = await api.signUp('csv-batches');
    const id = await organization(owner);
    const at = api.clock.now().toISOString();
    await api.database.db.execute(sql`
      insert into ledger_entries (user_id, kind, period_key, amount_tokens, reason, created_at)
      select ${id}::uuid, 'ADJUSTMENT', '2026-11', n, 'bulk', ${at}::timestamptz from generate_series(1, 2345) n`);
    const lines = (await download(owner, id)).text.trim().split('\r\n').slice(1);
    const ids = lines.map((line) => Number(line.split(',')[0]));
    expect(ids).toHaveLength(2346); // the month's grant, then the 2,345
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(lines.at(-1)!.split(',')[6]).toBe('2345');
  });

  it('is for owners and admins; a member is refused, and to anyone outside the organization does not exist', async () => {
    const owner = await api.signUp('csv-private');
    const id = await organization(owner);
    const member = await join(owner, id);
    const helper = await join(owner, id, 'ADMIN');
    const stranger = await api.signUp('csv-stranger');
    expect((await csv(helper, id)).status).toBe(200);
    expect((await csv(member, id)).status).toBe(403);
    expect((await csv(stranger, id)).status).toBe(404);
    expect((await csv(stranger, await organization(stranger))).status).toBe(200);
    expect((await api.request('GET', `/api/organizations/${id}/ledger.csv`)).status).toBe(401);
  });
});
