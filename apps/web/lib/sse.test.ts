import { describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from './sse';

/** A body that delivers `chunks` one read at a time, as a network would split them. */
function body(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function eventsOf(chunks: (string | Uint8Array)[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  await readSse(body(chunks), (event) => events.push(event));
  return events;
}

describe('readSse', () => {
  it('reads named events with their data, and defaults the name to message', async () => {
    expect(await eventsOf(['event: start\ndata: {"conversationId":"c1"}\n\ndata: plain\n\n'])).toEqual([
      { event: 'start', data: '{"conversationId":"c1"}', id: null },
      { event: 'message', data: 'plain', id: null },
    ]);
  });

  it('joins an event split across chunks, even inside a field name or a value', async () => {
    const events = await eventsOf(['ev', 'ent: del', 'ta\nda', 'ta: {"text":"he', 'llo"}\n', '\n']);
    expect(events).toEqual([{ event: 'delta', data: '{"text":"hello"}', id: null }]);
  });

  it('keeps a multi-byte character whose bytes are split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: 5 €\n\n');
    const euro = bytes.indexOf(0xe2);
    expect(await eventsOf([bytes.slice(0, euro + 1), bytes.slice(euro + 1, euro + 2), bytes.slice(euro + 2)])).toEqual([{ event: 'message', data: '5 €', id: null }]);
  });

  it('joins multi-line data with newlines, and removes one space after the colon only', async () => {
    const events = await eventsOf(['data: first\ndata:second\ndata:  indented\ndata\n\n']);
    expect(events).toEqual([{ event: 'message', data: 'first\nsecond\n indented\n', id: null }]);
  });

  it('gives each event its own id, and none to an event that has no id field', async () => {
    const events = await eventsOf(['id: 41\nevent: notification\ndata: a\n\n', 'data: b\n\n', 'id: 42\ndata: c\n\n']);
    expect(events.map((event) => event.id)).toEqual(['41', null, '42']);
  });

  it('skips comments and heartbeats, and does not fire an event without data', async () => {
    const events = await eventsOf([': heartbeat\n\n', ':\n\n', 'event: ping\n\n', ': note\ndata: real\n: between\n\n']);
    expect(events).toEqual([{ event: 'message', data: 'real', id: null }]);
  });

  it('reads CRLF and CR line ends as LF ones, also when a CRLF is split between chunks', async () => {
    expect(await eventsOf(['event: a\r\ndata: 1\r\ndata: 2\r\n\r\n'])).toEqual([{ event: 'a', data: '1\n2', id: null }]);
    expect(await eventsOf(['data: 1\rdata: 2\r\r'])).toEqual([{ event: 'message', data: '1\n2', id: null }]);
    expect(await eventsOf(['data: 1\r', '\ndata: 2\r', '\n\r', '\n'])).toEqual([{ event: 'message', data: '1\n2', id: null }]);
  });

  it('drops an event the stream ends in the middle of', async () => {
    expect(await eventsOf(['data: whole\n\n', 'data: cut short\n'])).toEqual([{ event: 'message', data: 'whole', id: null }]);
  });

  it('returns when its signal aborts, though the stream is still open', async () => {
    const encoder = new TextEncoder();
    let push: ((text: string) => void) | undefined;
    const open = new ReadableStream<Uint8Array>({ start: (controller) => void (push = (text) => controller.enqueue(encoder.encode(text))) });
    const controller = new AbortController();
    const events: string[] = [];
    const reading = readSse(open, (event) => events.push(event.data), controller.signal);
    push?.('data: before\n\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await reading;
    expect(events).toEqual(['before']);
  });
});
