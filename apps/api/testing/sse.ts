export interface SseEvent {
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read events' JSON without declaring each shape
  data: any;
}

/** Reads a Server-Sent Events response into events; stops early when `until` says so. */
export async function readSse(response: Response, until?: (event: SseEvent, all: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      const parsed = { event, data: data ? JSON.parse(data) : null };
      events.push(parsed);
      if (until?.(parsed, events)) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}
