import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseDecoder } from './sse-decoder.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function decodeInPieces(stream: Uint8Array, cuts: number[]): string[] {
  const decoder = new SseDecoder();
  const events: string[] = [];
  let from = 0;
  for (const cut of [...cuts.filter((at) => at > 0 && at < stream.length)].sort((a, b) => a - b).concat(stream.length)) {
    events.push(...decoder.push(stream.slice(from, cut)));
    from = cut;
  }
  return events;
}

describe('SseDecoder', () => {
  it('reads the data of each event, skipping comments and other fields', () => {
    const stream = bytes(': keep-alive\n\nevent: message\nid: 1\ndata: {"a":1}\n\ndata:second\ndata: line\n\nretry: 10\n\ndata:\n\ndata: [DONE]\n\n');
    expect(decodeInPieces(stream, [])).toEqual(['{"a":1}', 'second\nline', '[DONE]']);
  });

  it('accepts CRLF and CR line ends', () => {
    expect(decodeInPieces(bytes('data: one\r\n\r\ndata: two\r\rdata: three\n\n'), [])).toEqual(['one', 'two', 'three']);
  });

  it('holds an event back until its blank line comes', () => {
    const decoder = new SseDecoder();
    expect(decoder.push(bytes('data: {"content":"안'))).toEqual([]);
    expect(decoder.push(bytes('녕"}\n'))).toEqual([]);
    expect(decoder.push(bytes('\n'))).toEqual(['{"content":"안녕"}']);
  });

  it('reads the same events whichever bytes the stream is cut at (multi-byte characters and CRLF split too)', () => {
    const stream = bytes('data: {"content":"상담 안녕하세요 😀"}\r\n\r\ndata: {"usage":{"prompt_tokens":4}}\n\n: ping\r\rdata: [DONE]\r\n\r\n');
    const whole = decodeInPieces(stream, []);
    expect(whole).toEqual(['{"content":"상담 안녕하세요 😀"}', '{"usage":{"prompt_tokens":4}}', '[DONE]']);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
      expect(decodeInPieces(stream, cuts)).toEqual(whole);
    }));
  });
});
