import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { NotificationStreamService } from './notification-stream.service.js';
import { NotificationsRepository } from './notifications.repository.js';

let api: TestApp;

beforeAll(async () => {
  api = await createTestApp();
});
afterAll(async () => {
  await api?.close();
});

interface OpenStream {
  response: Response;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  controller: AbortController;
  /** The first chunk the server wrote (`: connected`). */
  first: string;
}

/** Opens GET /api/notifications/stream and waits for its first chunk. */
async function openStream(app: TestApp, token: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${app.baseUrl}/api/notifications/stream`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  return { response, reader, controller, first: new TextDecoder().decode(value) };
}

const activityOf = (app: TestApp) => app.app.get(NotificationStreamService).activity;

/** The stream service's activity once it equals `expected`, or after two seconds, whichever is first. */
async function settledActivity(app: TestApp, expected: ReturnType<typeof activityOf>) {
  for (let waited = 0; waited < 2_000 && JSON.stringify(activityOf(app)) !== JSON.stringify(expected); waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return activityOf(app);
}

/** Everything the server writes until it ends the stream. */
async function restOf(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
  return text;
}

/** Whether the reader is still open after `ms`: no end of stream in the meantime. */
async function staysOpen(reader: ReadableStreamDefaultReader<Uint8Array>, ms = 300): Promise<boolean> {
  const result = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);
  return result === null || !result.done;
}

describe('notification streams let go of what they hold', () => {
  it('100 connections closed right after `: connected`, while the Last-Event-ID replay runs, leave no subscription, heartbeat or poll behind', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => api.signUp()));
    // The replay query as slow as on a loaded database, so every client hangs up while it runs.
    const repository = api.app.get(NotificationsRepository);
    const eventsAfter = repository.eventsAfter.bind(repository);
    const slowReplay = vi.spyOn(repository, 'eventsAfter').mockImplementation(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return eventsAfter(...args);
    });
    try {
      await Promise.all(
        users.flatMap((user) =>
          Array.from({ length: 5 }, async () => {
            const stream = await openStream(api, user.token, { 'last-event-id': '1' });
            expect(stream.first).toBe(': connected\n\n');
            stream.controller.abort();
          }),
        ),
      );
      expect(slowReplay).toHaveBeenCalledTimes(100);
    } finally {
      slowReplay.mockRestore();
    }
    expect(await settledActivity(api, { streams: 0, heartbeats: 0, polling: false })).toEqual({ streams: 0, heartbeats: 0, polling: false });
  });

  it('closing the app ends its open streams instead of waiting for their clients to leave', async () => {
    const other = await createTestApp();
    const stream = await openStream(other, (await other.signUp()).token);
    try {
      const closing = other.close();
      expect(await restOf(stream.reader)).toBe('event: closed\ndata: {"reason":"shutdown"}\n\n');
      await closing;
    } finally {
      stream.controller.abort();
    }
  });
});

describe('stream caps', () => {
  it('a 6th stream of one user closes that user’s oldest, and the other 5 stay open', async () => {
    const user = await api.signUp();
    const streams: OpenStream[] = [];
    for (let index = 0; index < 6; index += 1) streams.push(await openStream(api, user.token));
    try {
      const [oldest, ...rest] = streams;
      // The replaced stream is told why, so its tab does not reconnect and push out another one.
      expect(await restOf(oldest!.reader)).toBe('event: closed\ndata: {"reason":"replaced"}\n\n');
      expect(await Promise.all(rest.map((stream) => staysOpen(stream.reader)))).toEqual([true, true, true, true, true]);
      expect(activityOf(api)).toEqual({ streams: 5, heartbeats: 5, polling: true });
    } finally {
      for (const stream of streams) stream.controller.abort();
    }
    expect(await settledActivity(api, { streams: 0, heartbeats: 0, polling: false })).toEqual({ streams: 0, heartbeats: 0, polling: false });
  });

  it('past NOTIFY_STREAMS_PER_INSTANCE a new stream is refused with a JSON 503 before any SSE is written', async () => {
    const small = await createTestApp({ NOTIFY_STREAMS_PER_INSTANCE: '3' });
    const streams: OpenStream[] = [];
    try {
      for (let index = 0; index < 3; index += 1) streams.push(await openStream(small, (await small.signUp()).token));
      const refused = await fetch(`${small.baseUrl}/api/notifications/stream`, {
        headers: { authorization: `Bearer ${(await small.signUp()).token}`, 'accept-language': 'en' },
        signal: AbortSignal.timeout(5_000),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await refused.json()).toEqual({ code: 'STREAMS_EXHAUSTED', message: 'Too many live notification connections right now. Try again shortly.' });
      expect(activityOf(small).streams).toBe(3);

      // A freed place is taken again.
      streams.shift()!.controller.abort();
      expect((await settledActivity(small, { streams: 2, heartbeats: 2, polling: true })).streams).toBe(2);
      streams.push(await openStream(small, (await small.signUp()).token));
    } finally {
      for (const stream of streams) stream.controller.abort();
      await settledActivity(small, { streams: 0, heartbeats: 0, polling: false });
      await small.close();
    }
  });
});
