import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../database/database.js';
import { ledgerEntries, organizationMembers, tokenAccounts, tokenHolds } from '../database/schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { HoldsService } from '../quota/holds/holds.service.js';
import type { AttachedWrite } from '../quota/ledger/ledger.repository.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

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

const organization = (owner: User) => api.createOrganization(owner);
const join = (owner: User, organizationId: string, role: 'ADMIN' | 'MEMBER' = 'MEMBER', user?: User) => api.joinOrganization(owner, organizationId, { role, user });

const send = (user: User, body: Record<string, unknown>) => api.request('POST', '/api/chat/send', { token: user.token, body });
const setLimit = (by: User, organizationId: string, memberId: string, monthlyLimitTokens: unknown) =>
  api.request('PUT', `/api/organizations/${organizationId}/members/${memberId}/limit`, { token: by.token, body: { monthlyLimitTokens } });
const usageOf = async (user: User, organizationId: string) => (await api.request('GET', `/api/organizations/${organizationId}/usage`, { token: user.token })).body;

async function pool(organizationId: string) {
  const [row] = await api.database.db.select().from(tokenAccounts).where(eq(tokenAccounts.userId, organizationId));
  return row!;
}

async function member(organizationId: string, userId: string) {
  const [row] = await api.database.db
    .select()
    .from(organizationMembers)
    .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId)));
  return row!;
}

async function booksBalance() {
  const verify = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
  expect(verify.body).toMatchObject({ accounts: [], members: [], expiredOpenHolds: 0 });
}

describe("an organization's pool", () => {
  it('is opened with the organization on the free plan; a member’s turn is charged to it, with the member on the entries', async () => {
    const owner = await api.signUp('pool-owner');
    const id = await organization(owner);
    const account = await pool(id);
    expect(account).toMatchObject({ organizationId: id, planId: 'free', freeTokens: 100_000, periodCapacityTokens: 100_000, periodConsumedTokens: 0 });
    const person = await join(owner, id);
    const own = (await api.request('GET', '/api/ai-usage', { token: person.token })).body;

    const turn = await send(person, { message: '조직 토큰으로 상담합니다', organizationId: id });
    expect(turn.status).toBe(200);
    const charged = turn.body.usage.chargedTokens as number;
    expect(charged).toBeGreaterThan(0);
    expect((await pool(id)).periodConsumedTokens).toBe(charged);
    expect((await api.request('GET', '/api/ai-usage', { token: person.token })).body.usedTokens).toBe(own.usedTokens);
    expect(await member(id, person.id)).toMatchObject({ consumedTokens: charged, heldTokens: 0, openHolds: 0 });
    const entries = await api.database.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.userId, id), eq(ledgerEntries.memberId, person.id)));
    expect(entries.map((entry) => entry.kind)).toEqual(['HOLD', 'CONSUMPTION']);

    // The conversation keeps its workspace: continuing it is charged to the pool without naming it again.
    const next = await send(person, { message: '이어서 질문합니다', conversationId: turn.body.conversationId });
    expect(next.status).toBe(200);
    expect((await member(id, person.id)).consumedTokens).toBe(charged + next.body.usage.chargedTokens);
    expect((await send(person, { message: '다른 곳으로', conversationId: turn.body.conversationId, organizationId: owner.id })).status).toBe(400);

    const usage = await usageOf(person, id);
    expect(usage.pool).toMatchObject({ usedTokens: charged + next.body.usage.chargedTokens, plan: { id: 'free' } });
    expect(usage.member).toMatchObject({ monthlyLimitTokens: null, usedTokens: charged + next.body.usage.chargedTokens, remainingTokens: null });
    await booksBalance();
  });

  it('is not there for anyone outside the organization', async () => {
    const owner = await api.signUp('closed-owner');
    const id = await organization(owner);
    const stranger = await api.signUp('stranger');
    expect((await send(stranger, { message: '남의 조직', organizationId: id })).status).toBe(404);
    expect((await api.request('GET', `/api/organizations/${id}/usage`, { token: stranger.token })).status).toBe(404);
    expect((await api.request('POST', '/api/chat/estimate', { token: stranger.token, body: { message: '남의 조직', organizationId: id } })).status).toBe(404);
  });
});

describe("a member's monthly limit", () => {
  it('is set by owners and admins only, to a whole number of tokens or null', async () => {
    const owner = await api.signUp('limit-owner');
    const id = await organization(owner);
    const person = await join(owner, id);
    const other = await join(owner, id);
    expect((await setLimit(person, id, other.id, 10)).status).toBe(403);
    expect((await setLimit(await api.signUp('outsider'), id, other.id, 10)).status).toBe(404);
    for (const value of [-1, 1.5, '100', 1e23, Number.MAX_SAFE_INTEGER, { tokens: 1 }, [1], true]) {
      expect((await setLimit(owner, id, other.id, value)).status).toBe(400);
    }
    expect((await api.request('PUT', `/api/organizations/${id}/members/${other.id}/limit`, { token: owner.token, body: {} })).status).toBe(400);
    const set = await setLimit(owner, id, other.id, 5_000);
    expect(set.status).toBe(200);
    expect(set.body.members.find((row: { userId: string }) => row.userId === other.id)).toMatchObject({
      monthlyLimitTokens: 5_000,
      usage: { usedTokens: 0, remainingTokens: 5_000, usagePercent: 0 },
    });
    expect((await setLimit(owner, id, other.id, null)).body.members.find((row: { userId: string }) => row.userId === other.id).monthlyLimitTokens).toBeNull();
    expect((await setLimit(owner, id, admin.id, 10)).status).toBe(404);
    // An organization's admin sets members' and admins' limits, never an owner's.
    const manager = await join(owner, id, 'ADMIN');
    expect((await setLimit(manager, id, owner.id, 0)).status).toBe(403);
    const byManager = await setLimit(manager, id, other.id, 7_000);
    expect(byManager.status).toBe(200);
    const rows = byManager.body.members as { userId: string; limitEditable: boolean }[];
    expect(rows.find((row) => row.userId === owner.id)!.limitEditable).toBe(false);
    expect(rows.find((row) => row.userId === other.id)!.limitEditable).toBe(true);
  });

  it('blocks the member at their limit while the pool still has room, and not the others', async () => {
    const owner = await api.signUp('blocked-owner');
    const id = await organization(owner);
    const person = await join(owner, id);
    const first = await send(person, { message: '첫 질문', organizationId: id });
    const perTurn = first.body.usage.chargedTokens as number;
    // Room for the next turn's minimum, not for a whole turn: the turn is cut to fit, then nothing fits.
    expect((await setLimit(owner, id, person.id, perTurn + 20)).status).toBe(200);
    let refusal = null;
    for (let turn = 0; turn < 5 && !refusal; turn += 1) {
      const response = await send(person, { message: '한도까지 질문', organizationId: id });
      if (response.status !== 200) refusal = response;
    }
    expect(refusal).toMatchObject({ status: 402, body: { code: 'MEMBER_LIMIT_REACHED', limit: 'MEMBER', limitTokens: perTurn + 20 } });
    expect((await member(id, person.id)).consumedTokens).toBeLessThanOrEqual(perTurn + 20);
    const usage = await usageOf(person, id);
    expect(usage.pool.chatAllowed).toBe(true);
    expect((await api.request('POST', '/api/chat/estimate', { token: person.token, body: { message: '또 질문', organizationId: id } })).body.allowed).toBe(false);
    // Their own account and the rest of the organization are untouched.
    expect((await send(person, { message: '개인 계정으로' })).status).toBe(200);
    expect((await send(owner, { message: '소유자는 계속', organizationId: id })).status).toBe(200);
    await booksBalance();
  });

  it('lets a pool at its hard limit refuse everyone, whatever room their limits leave', async () => {
    const owner = await api.signUp('exhausted-owner');
    const id = await organization(owner);
    const person = await join(owner, id);
    await setLimit(owner, id, person.id, 50_000);
    expect((await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: id, usagePercent: 105 } })).status).toBe(200);
    const refusal = await send(person, { message: '조직 토큰이 없습니다', organizationId: id });
    expect(refusal).toMatchObject({ status: 402, body: { code: 'TOKEN_EXHAUSTED', limit: 'ORGANIZATION', recommendedAction: 'ASK_ORGANIZATION_ADMIN' } });
    expect(refusal.body.message).toContain('조직');
    expect((await usageOf(person, id)).member).toMatchObject({ usedTokens: 0, remainingTokens: 50_000 });
    expect((await send(person, { message: '개인 계정은 그대로' })).status).toBe(200);
    await booksBalance();
  });

  it('holds at both levels under concurrent turns: no member past their limit, the pool not past 105 %', async () => {
    const owner = await api.signUp('race-owner');
    const id = await organization(owner);
    const people = await Promise.all(Array.from({ length: 4 }, () => join(owner, id)));
    const probe = await send(owner, { message: '얼마나 드나요', organizationId: id });
    const perTurn = probe.body.usage.chargedTokens as number;
    for (const person of people) await setLimit(owner, id, person.id, perTurn * 3);
    // The pool left with room for about six turns: between the members' limits (12 turns) and nothing.
    const capacity = (await pool(id)).periodCapacityTokens;
    const used = Math.floor(((capacity * 1.05 - perTurn * 6) / capacity) * 10_000) / 100;
    expect((await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: id, usagePercent: used } })).status).toBe(200);
    const responses = await Promise.all(people.flatMap((person) => Array.from({ length: 6 }, () => send(person, { message: '동시에 묻습니다', organizationId: id }))));
    const codes = new Set(responses.filter((response) => response.status !== 200).map((response) => `${response.status} ${response.body.code}`));
    expect([...codes].every((code) => ['402 MEMBER_LIMIT_REACHED', '402 TOKEN_EXHAUSTED'].includes(code))).toBe(true);
    expect(responses.filter((response) => response.status === 200).length).toBeGreaterThan(0);
    const after = await pool(id);
    expect(after.periodConsumedTokens * 100).toBeLessThanOrEqual(after.periodCapacityTokens * 105);
    for (const person of people) expect((await member(id, person.id)).consumedTokens).toBeLessThanOrEqual(perTurn * 3);
    await booksBalance();
  });
});

describe("members' changes of one pool", () => {
  it('are written together in batches (the pool locked once), and a change its batch cannot write fails alone', async () => {
    const owner = await api.signUp('batch-owner');
    const id = await organization(owner);
    const people = await Promise.all(Array.from({ length: 5 }, () => join(owner, id)));
    const holds = api.app.get(HoldsService);
    const metrics = api.app.get(MetricsService);
    const counted = async () => {
      const batches = (await metrics.poolBatches.get()).values;
      return {
        committed: batches.find((value) => value.labels.result === 'committed')?.value ?? 0,
        lost: batches.find((value) => value.labels.result === 'lost')?.value ?? 0,
        changes: (await metrics.poolBatchedChanges.get()).values[0]?.value ?? 0,
      };
    };
    const start = await counted();

    // Twenty turns at once: the first runs alone, the nineteen that came meanwhile in one transaction.
    const reservations = await Promise.all(people.flatMap((person) => Array.from({ length: 4 }, () => holds.reserveForMember(id, person.id, { tokens: 500, purpose: 'test' }))));
    expect(reservations.every((reservation) => reservation.poolId === id)).toBe(true);
    const reserved = await counted();
    expect(reserved.changes - start.changes).toBe(20);
    expect(reserved.committed - start.committed).toBe(2);
    expect((await pool(id)).openHolds).toBe(20);
    for (const person of people) expect(await member(id, person.id)).toMatchObject({ openHolds: 4, heldTokens: 2_000 });

    // One settlement carries a write the database refuses: its batch is lost, every change of it runs alone, and only that one fails.
    const refused: AttachedWrite = { name: 'test_refused', guard: sql`true`, ctes: sql`refused as (select 1)`, columns: sql`1 as refused`, assertion: sql`false` };
    const settled = await Promise.allSettled(
      reservations.map((reservation, index) =>
        index === 7
          ? holds.settleWith(reservation.hold.holdId, 100, {}, () => refused, id)
          : holds.settle(reservation.hold.holdId, 100, {}, null, reservation.poolId ?? null),
      ),
    );
    expect(settled.filter((outcome) => outcome.status === 'rejected')).toHaveLength(1);
    expect((settled[7] as PromiseRejectedResult).reason).toBeDefined();
    const after = await counted();
    expect(after.lost - reserved.lost).toBe(1);
    const account = await pool(id);
    expect(account.openHolds).toBe(1);
    const charges = await api.database.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.userId, id), eq(ledgerEntries.kind, 'CONSUMPTION')));
    expect(charges).toHaveLength(19);
    const unlucky = people[Math.floor(7 / 4)]!;
    expect(await member(id, unlucky.id)).toMatchObject({ openHolds: 1, heldTokens: 500, consumedTokens: 300 });

    // A hold named as the pool's that is not (a wrong guess): it runs alone, on its own account.
    const personal = await holds.reserveWithAccount(owner.id, { tokens: 500, purpose: 'test' });
    expect((await holds.settle(personal.hold.holdId, 100, {}, null, id)).chargedTokens).toBe(100);
    await holds.voidHold(reservations[7]!.hold.holdId, id);
    expect((await pool(id)).openHolds).toBe(0);
    await booksBalance();

    // Settlements and voids without other writes go together in one statement: the books still balance to the token.
    const more = await Promise.all(people.flatMap((person) => [holds.reserveForMember(id, person.id, { tokens: 700, purpose: 'test' }), holds.reserveForMember(id, person.id, { tokens: 300, purpose: 'test' })]));
    const consumedBefore = (await pool(id)).periodConsumedTokens;
    await Promise.all(more.map((reservation, index) => (index % 2 === 0 ? holds.settle(reservation.hold.holdId, 250, {}, null, id) : holds.voidHold(reservation.hold.holdId, id))));
    expect(await pool(id)).toMatchObject({ openHolds: 0, heldTokens: 0, periodConsumedTokens: consumedBefore + 5 * 250 });
    for (const person of people) expect(await member(id, person.id)).toMatchObject({ openHolds: 0, heldTokens: 0 });
    expect(await member(id, unlucky.id)).toMatchObject({ consumedTokens: 300 + 250 });
    await booksBalance();
  });
});

describe('removing a member', () => {
  it('voids their open holds and stops their turns in the pool; coming back keeps what they used this month', async () => {
    const owner = await api.signUp('remove-owner');
    const id = await organization(owner);
    const person = await join(owner, id);
    const turn = await send(person, { message: '나가기 전에', organizationId: id });
    const used = turn.body.usage.chargedTokens as number;
    const reservation = await api.app.get(HoldsService).reserveForMember(id, person.id, { tokens: 500, purpose: 'test' });
    expect(await member(id, person.id)).toMatchObject({ heldTokens: 500, openHolds: 1 });

    expect((await api.request('DELETE', `/api/organizations/${id}/members/${person.id}`, { token: owner.token })).status).toBe(204);
    const [hold] = await api.database.db.select().from(tokenHolds).where(eq(tokenHolds.id, reservation.hold.holdId));
    expect(hold!.status).toBe('VOIDED');
    expect((await pool(id)).heldTokens).toBe(0);
    expect((await send(person, { message: '나간 뒤에', conversationId: turn.body.conversationId })).status).toBe(404);

    await join(owner, id, 'MEMBER', person);
    expect(await member(id, person.id)).toMatchObject({ consumedTokens: used, heldTokens: 0, openHolds: 0 });
    await booksBalance();
  });
});

describe('the books of members', () => {
  it('name a member whose usage was changed behind the ledger', async () => {
    const owner = await api.signUp('books-owner');
    const id = await organization(owner);
    await api.database.db.execute(sql`update organization_members set consumed_tokens = consumed_tokens + 9 where organization_id = ${id}`);
    const verify = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
    expect(verify.body.ok).toBe(false);
    expect(verify.body.members).toEqual([{ organizationId: id, userId: owner.id, problems: ['consumed: usage 9 ≠ Σ ledger 0'] }]);
    await api.database.db.execute(sql`update organization_members set consumed_tokens = consumed_tokens - 9 where organization_id = ${id}`);
    const rows = rowsOf(await api.database.db.execute(sql`select count(*) as count from token_accounts where organization_id is not null`));
    expect(Number((rows[0] as { count: string }).count)).toBeGreaterThan(0);
  });
});

describe('notifications of a pool and of a member’s limit', () => {
  const inbox = async (user: User) => (await api.request('GET', '/api/notifications', { token: user.token })).body.items as { kind: string; title: string; organizationId: string | null; link: string }[];

  it('tell the owners and admins when the pool crosses a threshold, and a member at 90 % and 100 % of their limit', async () => {
    const owner = await api.signUp('notify-owner');
    const id = await organization(owner);
    const manager = await join(owner, id, 'ADMIN');
    const person = await join(owner, id);
    expect((await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: id, usagePercent: 91 } })).status).toBe(200);
    for (const reader of [owner, manager]) {
      expect(await inbox(reader)).toEqual([expect.objectContaining({ kind: 'ORGANIZATION_WARNING', organizationId: id, link: `/organizations/detail/?id=${id}` })]);
      expect((await inbox(reader))[0]!.title).toContain('온길 상담센터');
    }
    expect(await inbox(person)).toEqual([]);
    // The same level again within 24 hours: nobody is told twice.
    await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: id, usagePercent: 50 } });
    await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: id, usagePercent: 92 } });
    expect((await inbox(owner)).filter((item) => item.kind === 'ORGANIZATION_WARNING')).toHaveLength(1);

    const first = await send(person, { message: '한도 알림', organizationId: id });
    const perTurn = first.body.usage.chargedTokens as number;
    // The next turn takes them past 90 % of a limit of a little more than two turns…
    await setLimit(owner, id, person.id, Math.ceil((perTurn * 2) / 0.95));
    await send(person, { message: '한도 알림 두 번째', organizationId: id });
    expect((await inbox(person)).map((item) => item.kind)).toEqual(['MEMBER_LIMIT_WARNING']);
    // …and a turn charged exactly what is left, to the limit.
    const left = (await usageOf(person, id)).member.remainingTokens as number;
    const holds = api.app.get(HoldsService);
    const reservation = await holds.reserveForMember(id, person.id, { tokens: left, purpose: 'test' });
    await holds.settle(reservation.hold.holdId, left);
    expect((await inbox(person)).map((item) => item.kind).sort()).toEqual(['MEMBER_LIMIT_REACHED', 'MEMBER_LIMIT_WARNING']);
    expect((await usageOf(person, id)).member).toMatchObject({ remainingTokens: 0, usagePercent: 100 });
    await booksBalance();
  });
});

describe("the service's admins", () => {
  it('list organizations by their pool’s use, see one with its members’ use, and put its pool on a plan', async () => {
    const owner = await api.signUp('admin-view-owner');
    const id = await organization(owner);
    const person = await join(owner, id);
    await setLimit(owner, id, person.id, 9_000);
    await send(person, { message: '관리자 화면용', organizationId: id });
    expect((await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: id, usagePercent: 99 } })).status).toBe(200);

    const list = await api.request('GET', '/api/admin/organizations?pageSize=100', { token: admin.token });
    expect(list.status).toBe(200);
    const items = list.body.items as { id: string; usagePercent: number }[];
    expect(items.find((row) => row.id === id)).toMatchObject({ name: '온길 상담센터', planId: 'free', members: 2, level: 'CRITICAL', usagePercent: 99 });
    // Most used first.
    expect(items.map((row) => row.usagePercent)).toEqual([...items.map((row) => row.usagePercent)].sort((a, b) => b - a));
    const found = await api.request('GET', `/api/admin/organizations?query=${encodeURIComponent('상담%')}`, { token: admin.token });
    expect(found.body.items).toEqual([]);

    const detail = await api.request('GET', `/api/admin/organizations/${id}`, { token: admin.token });
    expect(detail.body.pool).toMatchObject({ level: 'CRITICAL', plan: { id: 'free' } });
    expect(detail.body.members.find((row: { userId: string }) => row.userId === person.id)).toMatchObject({ role: 'MEMBER', usage: { monthlyLimitTokens: 9_000 } });
    expect(JSON.stringify(detail.body)).not.toContain('관리자 화면용');

    const plan = await api.request('PUT', `/api/admin/organizations/${id}/plan`, { token: admin.token, body: { planId: 'enterprise' } });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ change: 'upgrade', current: { planId: 'enterprise' } });
    expect((await pool(id)).planId).toBe('enterprise');
    // The routes keep to their kind of account: a person is not an organization, nor the other way round.
    expect((await api.request('PUT', `/api/admin/organizations/${person.id}/plan`, { token: admin.token, body: { planId: 'plus' } })).status).toBe(404);
    expect((await api.request('PUT', `/api/admin/users/${id}/plan`, { token: admin.token, body: { planId: 'plus' } })).status).toBe(404);

    const stats = await api.request('GET', '/api/admin/token-stats', { token: admin.token });
    expect(stats.body.organizations.total).toBeGreaterThan(0);
    expect(stats.body.organizations.top.map((row: { organizationId: string }) => row.organizationId)).toContain(id);
    expect(stats.body.topUsers.map((row: { userId: string }) => row.userId)).not.toContain(id);
    await booksBalance();
  });
});
