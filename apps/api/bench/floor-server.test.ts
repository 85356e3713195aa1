// The floor of bench:chat sends exactly what a metered turn sends: a real turn through the API on
// PostgreSQL is recorded at the driver (pg.Client#query, wrapped to note and pass through) and its
// statements compared with the floor's — the floor always reads the user's row, as the API does on
// a session's first request on an instance; then the floor serves a turn of its own on the same data.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/database/database.js';
import { FakeOpenAiServer } from '../testing/fake-openai-server.js';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { createEmptyTestDatabase } from '../testing/test-database.js';
import { FLOOR_STATEMENTS, startFloorServer } from './floor-server.js';

const baseUrl = process.env.DATABASE_URL;
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

describe.skipIf(!baseUrl)('the floor server of bench:chat', () => {
  let scratch: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let url: string;
  let database: DatabaseHandle;
  let fake: FakeOpenAiServer;
  let api: TestApp;

  beforeAll(async () => {
    scratch = await createEmptyTestDatabase();
    url = scratch.url;
    database = await openDatabase({ url, poolSize: 4 });
    fake = await new FakeOpenAiServer().start();
    fake.defaultBehavior = { kind: 'reply', text: '네, 말씀해 주세요. 어떤 고민이 있으신가요?', promptTokens: 40, completionTokens: 12 };
    api = await createTestApp({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.url }, new Date(), database);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
    await fake?.close();
    await scratch?.drop();
  });

  it('sends the statements of a metered turn, with the same texts and names', async () => {
    const user = await api.signUp('floor');
    const send = () => api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요, 상담을 받고 싶어요.' } });
    const recorded = async () => {
      const sent: { name: string | null; text: string }[] = [];
      const query = pg.Client.prototype.query;
      pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
        const statement = typeof config === 'string' ? { name: null, text: config } : (config as { name?: string; text: string });
        sent.push({ name: statement.name ?? null, text: oneLine(statement.text) });
        return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
      } as typeof query;
      try {
        expect((await send()).status).toBe(200);
      } finally {
        pg.Client.prototype.query = query;
      }
      return sent;
    };
    // The account and the last minute's turns are read at the same time: in either order.
    const order = (list: { name: string | null; text: string }[]) => [list[0], ...list.slice(1, 3).sort((a, b) => a.text.localeCompare(b.text)), ...list.slice(3)];
    const floor = FLOOR_STATEMENTS.map((statement) => ({ name: statement.name, text: oneLine(statement.text) }));
    // The session's first request on this instance reads the user's row; the next, within a
    // second, uses what it read (SessionUserCache) and sends the rest — or reads it again when
    // the first turn took longer than that (a slow machine).
    expect(order(await recorded())).toEqual(order(floor));
    const next = await recorded();
    expect(order(next[0]?.text === floor[0]!.text ? next : [floor[0]!, ...next])).toEqual(order(floor));
  });

  it('serves a metered turn on the same tables: held, settled, the conversation kept', async () => {
    const user = await api.signUp('floor-turn');
    const before = (await api.request('GET', '/api/ai-usage', { token: user.token })).body;
    const floor = await startFloorServer({ port: 0, databaseUrl: url, jwtSecret: api.config.jwt.secret, poolSize: 2 });
    try {
      const response = await fetch(`http://127.0.0.1:${floor.port}/api/chat/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: '바닥 시험입니다' }),
      });
      const body = (await response.json()) as { conversationId: string; usage: { chargedTokens: number } };
      expect(response.status).toBe(200);
      expect(body.usage.chargedTokens).toBe(52);
      const wrong = await fetch(`http://127.0.0.1:${floor.port}/api/chat/send`, { method: 'POST', headers: { authorization: 'Bearer x.y.z' }, body: '{}' });
      expect(wrong.status).toBe(401);

      // The API reads what the floor wrote: the charge, nothing held, the conversation and its two messages.
      const after = (await api.request('GET', '/api/ai-usage', { token: user.token })).body;
      expect(after.usedTokens - before.usedTokens).toBe(52);
      expect(after.heldTokens).toBe(0);
      const conversation = await api.request('GET', `/api/chat/conversations/${body.conversationId}`, { token: user.token });
      expect(conversation.status).toBe(200);
      expect(conversation.body.messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant']);
    } finally {
      await floor.close();
    }
  });
});
