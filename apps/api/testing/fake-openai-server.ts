import http from 'node:http';
import { LocalServer } from './local-server.js';

/** How the fake model answers the next request. */
export type FakeBehavior =
  | { kind: 'reply'; text?: string; promptTokens?: number; completionTokens?: number; includeUsage?: boolean; chunkDelayMs?: number; firstChunkDelayMs?: number; holdOpenAfterDoneMs?: number }
  /** 200 with a JSON body, as a proxy or a misconfigured gateway might answer. */
  | { kind: 'not-a-stream' }
  /** Some chunks, then the body ends: no usage, no [DONE]. */
  | { kind: 'ends-early'; afterChunks: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'drop-connection' }
  | { kind: 'reset-mid-stream'; afterChunks: number };

export interface RecordedRequest {
  body: { model: string; messages: { role: string; content: string }[]; max_tokens?: number; stream?: boolean; stream_options?: unknown };
  authorization: string | undefined;
}

/**
 * An OpenAI-compatible HTTP server for tests: real HTTP, real SSE, driven through the real
 * `openai` SDK. Each request takes the next queued behavior, or the default one.
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: FakeBehavior[] = [];
  private server: LocalServer | null = null;
  defaultBehavior: FakeBehavior = { kind: 'reply' };

  get url(): string {
    return `${this.server!.origin}/v1`;
  }

  /** Queues behaviors for the next requests, in order. */
  next(...behaviors: FakeBehavior[]): void {
    this.queue.push(...behaviors);
  }

  async start(): Promise<this> {
    this.server = await LocalServer.listen((request, response) => void this.handle(request, response));
    return this;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const body = JSON.parse(raw) as RecordedRequest['body'];
    this.requests.push({ body, authorization: request.headers.authorization });
    const behavior = this.queue.shift() ?? this.defaultBehavior;
    switch (behavior.kind) {
      case 'status':
        response.writeHead(behavior.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'fake failure', type: 'server_error' } }));
        return;
      case 'hang':
        return;
      case 'drop-connection':
        request.socket.destroy();
        return;
      case 'malformed':
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end('data: {"id": "x", "choices": [{"delta": {"content": "안녕\n\n');
        return;
      case 'not-a-stream':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ message: { role: 'assistant', content: '안녕' } }] }));
        return;
      case 'ends-early':
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let index = 0; index < behavior.afterChunks; index += 1) response.write(chunk({ content: `조각${index} ` }));
        response.end();
        return;
      case 'reset-mid-stream': {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let index = 0; index < behavior.afterChunks; index += 1) response.write(chunk({ content: `조각${index} ` }));
        setTimeout(() => request.socket.destroy(), 20);
        return;
      }
      case 'reply':
        await this.reply(body, response, behavior);
    }
  }

  private async reply(body: RecordedRequest['body'], response: http.ServerResponse, behavior: Extract<FakeBehavior, { kind: 'reply' }>) {
    const words = (behavior.text ?? '네, 무엇을 도와드릴까요? 편하게 말씀해 주세요.').split(/(?<= )/);
    const limit = body.max_tokens ?? words.length;
    const sent = words.slice(0, Math.max(1, Math.min(words.length, limit)));
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    if (behavior.firstChunkDelayMs) await delay(behavior.firstChunkDelayMs);
    for (const word of sent) {
      if (response.destroyed) return;
      response.write(chunk({ content: word }));
      if (behavior.chunkDelayMs) await delay(behavior.chunkDelayMs);
    }
    if (behavior.includeUsage !== false) {
      const usage = { prompt_tokens: behavior.promptTokens ?? 20, completion_tokens: behavior.completionTokens ?? sent.length };
      response.write(`data: ${JSON.stringify({ id: 'fake', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`);
    }
    if (!behavior.holdOpenAfterDoneMs) {
      response.end('data: [DONE]\n\n');
      return;
    }
    // A server that keeps the body open after [DONE] (and pings on it).
    response.write('data: [DONE]\n\n');
    const ping = setInterval(() => response.write(': ping\n\n'), 100);
    await delay(behavior.holdOpenAfterDoneMs);
    clearInterval(ping);
    if (!response.destroyed) response.end();
  }
}

function chunk(delta: { content: string }): string {
  return `data: ${JSON.stringify({ id: 'fake', object: 'chat.completion.chunk', created: 0, model: 'fake', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
