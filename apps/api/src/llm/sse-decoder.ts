/**
 * Server-sent events (the WHATWG format OpenAI-compatible servers stream): bytes in, in any
 * pieces, each complete event's `data` out — its `data:` lines joined by newlines; an event whose
 * data is empty is skipped (the specification would dispatch `""`; no chunk is empty). Comments,
 * `event:`, `id:` and `retry:` lines are skipped; CRLF and CR line ends read as LF.
 */
export class SseDecoder {
  private readonly text = new TextDecoder('utf-8');
  private pending = '';
  /** A CR that ended the last piece: the first half of a CRLF, perhaps. */
  private carriageReturn = false;
  private data: string[] = [];

  /** The data of every event that `bytes` completes. */
  push(bytes: Uint8Array): string[] {
    let piece = this.text.decode(bytes, { stream: true });
    if (this.carriageReturn) piece = `\r${piece}`;
    this.carriageReturn = piece.endsWith('\r');
    if (this.carriageReturn) piece = piece.slice(0, -1);
    if (piece.includes('\r')) piece = piece.replace(/\r\n?/g, '\n');
    this.pending += piece;
    const events: string[] = [];
    let start = 0;
    for (let end = this.pending.indexOf('\n'); end !== -1; end = this.pending.indexOf('\n', start)) {
      const line = this.pending.slice(start, end);
      start = end + 1;
      if (line === '') {
        // An event without data (or with only empty data lines) is not dispatched.
        const data = this.data.join('\n');
        if (data !== '') events.push(data);
        this.data = [];
      } else if (line.startsWith('data:')) {
        this.data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
      }
    }
    this.pending = this.pending.slice(start);
    return events;
  }
}
