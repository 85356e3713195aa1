/**
 * npm run bench:archive — the conversation archive at one million messages on PostgreSQL. Seeds
 * 10,000 users with five conversations of twenty messages each (1,000,000 messages of Korean and
 * English text, 120–700 characters), idle for 100 days; starts the built API and runs the archive
 * job (POST /api/admin/jobs/conversation-archive/run), printing its time, the bytes of `messages`
 * before and of the archive after, and then the latency of restoring conversations (POST
 * /api/chat/conversations/:id/restore) and of opening archived ones read-only.
 * BENCH_MESSAGES_PER_CONVERSATION and BENCH_CONVERSATIONS change the shape; BENCH_KEEP=1 keeps
 * the seeded database (the job then finds nothing left to archive: drop it to time again).
 */
import os from 'node:os';
import { benchAdmin, log, migratedScratch, percentileOf, runScript, signSession, startApi, stopApi, timedCaller } from './bench-support.js';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 50_000);
const PER_CONVERSATION = Number(process.env.BENCH_MESSAGES_PER_CONVERSATION ?? 20);
const USERS = Math.max(1, Math.round(CONVERSATIONS / 5));
const DATABASE = 'consult_on_bench_archive';
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const PORT = 3_903;
const SAMPLE = 200;

async function main() {
  const scratch = await migratedScratch(DATABASE);
  const { url, client } = scratch;
  try {
    if (!scratch.reused) {
      const started = performance.now();
      await client.query(`insert into users (id, email, email_canonical, password_hash, email_verified_at)
        select gen_random_uuid(), 'archive-' || g || '@bench.local', 'archive-' || g || '@bench.local', 'x', now() from generate_series(1, $1::int) g`, [USERS]);
      await client.query(`insert into token_accounts (user_id, period_key, plan_id, free_tokens, period_capacity_tokens) select id, to_char(now(), 'YYYY-MM'), 'free', 100000, 100000 from users`);
      await client.query(
        `insert into conversations (id, user_id, title, model, turn_count, charged_tokens, created_at, updated_at)
         select gen_random_uuid(), u.id, '대화 ' || c, 'consult-basic', $2::int / 2, 1000, now() - interval '120 days', now() - interval '100 days'
         from (select id, row_number() over () as n from users) u, generate_series(1, 5) c
         limit $1::int`,
        [CONVERSATIONS, PER_CONVERSATION],
      );
      // Text that compresses about as chat does: sentences picked per message, with names and figures of its own (not one phrase repeated).
      await client.query(
        `insert into messages (conversation_id, role, content, content_tokens, model, prompt_tokens, completion_tokens, charged_tokens, created_at)
         select c.id, case when m % 2 = 1 then 'user' else 'assistant' end,
                left(s1.t || ' ' || md5(c.id::text || m) || ' ' || s2.t || ' ' || (m * 7919 % 100000)::text || '원, ' || s3.t || ' ' || md5(m::text || c.title),
                     120 + ((m * 7919 + length(c.id::text)) % 580)),
                60, case when m % 2 = 0 then 'consult-basic' end, case when m % 2 = 0 then 300 end, case when m % 2 = 0 then 200 end,
                case when m % 2 = 0 then 500 end, c.created_at + m * interval '1 minute'
         from conversations c, generate_series(1, $1::int) m,
              lateral (select (array['오늘 회의에서 나온 일정과 예산 문제를 정리해 주세요.', 'Here is a summary of the points you raised.', '고객 문의에 답하는 방법을 단계별로 알려 드리겠습니다.', '좋은 질문입니다. 계약서의 세 번째 조항과 관련이 있습니다.', '다음 주 월요일까지 보고서를 제출해야 합니다.', 'The numbers were checked against last quarter''s report.'])[1 + (m + length(c.title)) % 6] as t) s1,
              lateral (select (array['먼저 상황을 확인하고 필요한 자료를 모아 주세요.', 'Let me know if you want the details by team.', '이 방법이면 비용을 줄일 수 있습니다.', '세부 일정은 표로 정리했습니다.', 'That should take about two weeks.'])[1 + (m * 3) % 5] as t) s2,
              lateral (select (array['감사합니다.', '추가로 궁금한 점이 있으면 말씀해 주세요.', 'Hope this helps.', '확인 부탁드립니다.'])[1 + (m * 7) % 4] as t) s3`,
        [PER_CONVERSATION],
      );
      await client.query('vacuum analyze');
      log(`seeded in ${Math.round((performance.now() - started) / 1000)} s`);
    }
    const size = async (relation: string) => Number((await client.query(`select pg_total_relation_size($1::regclass) as bytes`, [relation])).rows[0].bytes);
    const { rows: counts } = await client.query(`select (select count(*) from messages)::int as messages, (select sum(octet_length(content)) from messages)::bigint as text`);
    const messagesBefore = await size('messages');
    log(`${counts[0].messages.toLocaleString()} messages, ${Number(counts[0].text ?? 0).toLocaleString()} bytes of text, table with indexes ${messagesBefore.toLocaleString()} bytes`);

    const admin = await benchAdmin(client, SECRET);
    const api = await startApi({ NODE_ENV: 'development', DATABASE_URL: url, JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '100000000', DEMO_ACCOUNTS: 'false', JOBS_ENABLED: 'false' }, PORT);
    const call = timedCaller(PORT);
    const job = await call('POST', '/api/admin/jobs/conversation-archive/run', admin);
    const result = JSON.parse(job.body).result as { conversations: number; messages: number; bytesRaw: number; bytesStored: number };
    log(`archive job: ${(job.ms / 1000).toFixed(1)} s, ${JSON.stringify(result)}`);
    await client.query('vacuum analyze messages');
    const messagesAfter = await size('messages');
    const archiveBytes = await size('conversation_archives');

    const { rows: sample } = await client.query(`select id, user_id from conversations where archived_at is not null order by random() limit $1`, [SAMPLE * 2]);
    const opened: number[] = [];
    const restored: number[] = [];
    for (const [index, row] of sample.entries()) {
      const token = signSession(SECRET, row.user_id);
      if (index % 2 === 0) opened.push((await call('GET', `/api/chat/conversations/${row.id}`, token)).ms);
      else restored.push((await call('POST', `/api/chat/conversations/${row.id}/restore`, token)).ms);
    }
    await stopApi(api);

    console.log(`\nbench:archive — ${counts[0].messages.toLocaleString()} messages in ${CONVERSATIONS.toLocaleString()} conversations (${PER_CONVERSATION} each); PostgreSQL; ${os.cpus().length} cores, Node ${process.version}`);
    console.log('| measurement | value |');
    console.log('|---|---|');
    console.log(`| archive job | ${(job.ms / 1000).toFixed(1)} s (${Math.round(result.messages / (job.ms / 1000)).toLocaleString()} messages/s) |`);
    console.log(`| conversations / messages archived | ${result.conversations.toLocaleString()} / ${result.messages.toLocaleString()} |`);
    console.log(`| JSON of the messages → gzip | ${result.bytesRaw.toLocaleString()} → ${result.bytesStored.toLocaleString()} bytes (${(result.bytesRaw / Math.max(1, result.bytesStored)).toFixed(1)}×) |`);
    console.log(`| messages table with indexes, before → after (vacuumed) | ${messagesBefore.toLocaleString()} → ${messagesAfter.toLocaleString()} bytes |`);
    console.log(`| conversation_archives with indexes | ${archiveBytes.toLocaleString()} bytes |`);
    console.log(`\n| request | runs | p50 ms | p99 ms |\n|---|---|---|---|`);
    console.log(`| GET /api/chat/conversations/:id (archived, read-only) | ${opened.length} | ${percentileOf(opened, 0.5).toFixed(1)} | ${percentileOf(opened, 0.99).toFixed(1)} |`);
    console.log(`| POST /api/chat/conversations/:id/restore | ${restored.length} | ${percentileOf(restored, 0.5).toFixed(1)} | ${percentileOf(restored, 0.99).toFixed(1)} |`);
  } finally {
    await scratch.drop();
  }
}

runScript(main);
