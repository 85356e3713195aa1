import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../database/database.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

// Usage-pattern reports over HTTP: a month under way computed on demand, a past month kept by the
// monthly job (the same figures either way), an organization's member for its owners, the
// admins' cohort report, CSV, and hostile months.
let api: TestApp;

beforeAll(async () => {
  // Wednesday 14 October 2026, 14:00 in Seoul: a weekday afternoon of last month.
  api = await createTestApp({}, new Date('2026-10-14T05:00:00Z'));
});
afterAll(async () => {
  await api?.close();
});

const chat = async (token: string, message = '오늘 일정을 정리해 주세요') => {
  const response = await api.request('POST', '/api/chat/send', { token, body: { message } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
};

describe('usage-pattern reports', () => {
  it("computes a month's pattern, keeps last month with the job, compares and finds", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp('report');
    api.clock.set(new Date('2026-10-14T05:00:00Z'));
    await chat(user.token);
    await chat(user.token);
    api.clock.set(new Date('2026-10-16T06:30:00Z'));
    await chat(user.token);
    // This month (November) so far: Tuesday 3rd, 15:00 in Seoul.
    api.clock.set(new Date('2026-11-03T06:00:00Z'));
    await chat(user.token);

    const october = await api.request('GET', '/api/reports/usage?month=2026-10', { token: user.token });
    expect(october.status).toBe(200);
    expect(october.body).toMatchObject({ month: '2026-10', days: 31, current: false, previous: null, change: null });
    expect(october.body.usage).toMatchObject({ turns: 3, activeDays: 2 });
    expect(october.body.usage.byDay).toEqual({ '14': expect.any(Number), '16': expect.any(Number) });
    // Wednesday 14:00 is slot 2 × 24 + 14; Friday 15:30 is 4 × 24 + 15.
    expect(Object.keys(october.body.usage.byHour).sort()).toEqual(['111', '62']);
    expect(october.body.usage.tokens).toBe(Object.values(october.body.usage.byDay as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(october.body.forecastTokens).toBe(october.body.usage.tokens);
    expect(october.body.findings).toContain('평일 오후에 사용량의 100%가 몰립니다.');

    const november = await api.request('GET', '/api/reports/usage', { token: user.token, headers: { 'accept-language': 'en' } });
    expect(november.body).toMatchObject({ month: '2026-11', days: 30, current: true });
    expect(november.body.usage.turns).toBe(1);
    expect(november.body.previous).toMatchObject({ turns: 3 });
    expect(november.body.forecastTokens).toBeGreaterThan(november.body.usage.tokens);
    expect(november.body.findings.some((finding: string) => finding.startsWith('At this pace you will use about'))).toBe(true);

    // The monthly job keeps October; the report then reads it, with the same figures.
    const run = await api.request('POST', '/api/admin/jobs/usage-reports/run', { token: admin.token });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.result).toMatchObject({ month: '2026-10' });
    const [kept] = rowsOf<{ turns: number }>(await api.database.db.execute(sql`select turns from usage_reports where month = '2026-10' and account_id = ${user.id}`));
    expect(kept?.turns).toBe(3);
    expect((await api.request('GET', '/api/reports/usage?month=2026-10', { token: user.token })).body).toEqual(october.body);

    const cohort = await api.request('GET', '/api/admin/reports/cohort?month=2026-10', { token: admin.token });
    expect(cohort.status).toBe(200);
    expect(cohort.body).toMatchObject({ month: '2026-10', current: false, activeUsers: expect.any(Number) });
    expect(cohort.body.activeUsers).toBeGreaterThanOrEqual(1);
    expect(cohort.body.newUsers + cohort.body.returningUsers).toBe(cohort.body.activeUsers);
    expect(cohort.body.plans.find((plan: { plan: string }) => plan.plan === 'free')).toMatchObject({ users: expect.any(Number) });
    expect(cohort.body.warnings.map((warning: { level: string }) => warning.level)).toEqual(['WARNING', 'CRITICAL', 'BLOCKED']);
    expect((await api.request('GET', '/api/admin/reports/cohort', { token: user.token })).status).toBe(403);
    // The month under way is added up from the ledger: a request never writes the reports.
    const live = await api.request('GET', '/api/admin/reports/cohort', { token: admin.token });
    expect(live.body).toMatchObject({ month: '2026-11', current: true });
    expect(live.body.activeUsers).toBeGreaterThanOrEqual(1);
    const [written] = rowsOf<{ rows: number }>(await api.database.db.execute(sql`select count(*)::int as rows from usage_reports where month = '2026-11'`));
    expect(written!.rows).toBe(0);

    const csv = await api.request('GET', '/api/reports/usage.csv?month=2026-10', { token: user.token });
    expect(csv.status).toBe(200);
    const lines = String(csv.body).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('section,key,tokens');
    expect(lines).toContain('"summary","turns",3');
    expect(lines.filter((line) => line.startsWith('"day",'))).toHaveLength(31);
    expect(lines.filter((line) => line.startsWith('"weekdayHour",'))).toHaveLength(168);
  });

  it("gives an organization's owners a member's month, and nobody else", async () => {
    api.clock.set(new Date('2026-11-05T01:00:00Z'));
    const owner = await api.signUp('report-owner');
    const organizationId = await api.createOrganization(owner, '보고서 조직');
    const member = await api.joinOrganization(owner, organizationId, { role: 'MEMBER' });
    const turn = await api.request('POST', '/api/chat/send', { token: member.token, body: { message: '조직에서 묻습니다', organizationId } });
    expect(turn.status, JSON.stringify(turn.body)).toBe(200);
    const report = await api.request('GET', `/api/reports/organizations/${organizationId}/members/${member.id}`, { token: owner.token });
    expect(report.status).toBe(200);
    expect(report.body.usage.turns).toBe(1);
    // Their own account's report does not count the pool's turn.
    expect((await api.request('GET', '/api/reports/usage', { token: member.token })).body.usage.turns).toBe(0);
    expect((await api.request('GET', `/api/reports/organizations/${organizationId}/members/${member.id}`, { token: member.token })).status).toBe(403);
    const stranger = await api.signUp('report-stranger');
    expect((await api.request('GET', `/api/reports/organizations/${organizationId}/members/${member.id}`, { token: stranger.token })).status).toBe(404);
  });

  it('refuses hostile months', async () => {
    const user = await api.signUp('report-hostile');
    for (const month of ['2026-13', '2026-1', '1999-12', '2019-12', '2026-11%00', '1e23', '2027-01', '2026-11-01', "2026-11'", 'x'.repeat(10_000)]) {
      expect((await api.request('GET', `/api/reports/usage?month=${encodeURIComponent(month)}`, { token: user.token })).status, month.slice(0, 20)).toBe(400);
    }
    expect((await api.request('GET', '/api/reports/usage?month=2026-11&month=2026-10', { token: user.token })).status).toBe(400);
  });
});
