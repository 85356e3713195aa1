import { describe, expect, it } from 'vitest';
import { parseChatEvent, parseNotificationEvent } from './streams';

describe('parseChatEvent', () => {
  it('reads each event of a turn into its member of the union', () => {
    const start = parseChatEvent('start', '{"conversationId":"c1","model":"consult-basic","maxCompletionTokens":1024}');
    expect(start).toEqual({ event: 'start', data: { conversationId: 'c1', model: 'consult-basic', maxCompletionTokens: 1024 } });
    expect(parseChatEvent('delta', '{"text":"안녕"}')).toEqual({ event: 'delta', data: { text: '안녕' } });
    expect(parseChatEvent('done', '{}')).toEqual({ event: 'done', data: {} });
    expect(parseChatEvent('done', '{"replayed":true}')).toEqual({ event: 'done', data: { replayed: true } });
    const error = parseChatEvent('error', '{"code":"MODEL_TIMEOUT","message":"The model provider timed out."}');
    expect(error?.event === 'error' && error.data.code).toBe('MODEL_TIMEOUT');
  });

  it('narrows the data by the event name', () => {
    const frame = parseChatEvent('usage', JSON.stringify({ conversationId: 'c1', messageId: 7, model: 'm', usage: { chargedTokens: 42 }, warning: null, level: 'NORMAL', usagePercent: 1, remainingTokens: 9 }));
    if (frame?.event !== 'usage') throw new Error('expected a usage event');
    expect(frame.data.usage.chargedTokens).toBe(42);
    expect(frame.data.warning).toBeNull();
  });

  it('ignores an event it does not know, without reading its data', () => {
    expect(parseChatEvent('message', 'not json')).toBeNull();
    expect(parseChatEvent('heartbeat', '{}')).toBeNull();
  });

  it('refuses data that is not a JSON object', () => {
    expect(() => parseChatEvent('delta', '{"text":')).toThrow(SyntaxError);
    expect(() => parseChatEvent('delta', '"text"')).toThrow(/not a JSON object/);
    expect(() => parseChatEvent('done', 'null')).toThrow(/not a JSON object/);
  });
});

describe('parseNotificationEvent', () => {
  it('reads notifications, usage changes and the server closing the stream', () => {
    const notification = parseNotificationEvent('notification', '{"id":"n1","level":"WARNING","title":"90 %"}');
    expect(notification?.event === 'notification' && notification.data.level).toBe('WARNING');
    const usage = parseNotificationEvent('usage', '{"level":"CRITICAL","usagePercent":95.5,"remainingTokens":450,"periodKey":"2026-11"}');
    expect(usage).toEqual({ event: 'usage', data: { level: 'CRITICAL', usagePercent: 95.5, remainingTokens: 450, periodKey: '2026-11' } });
    expect(parseNotificationEvent('closed', '{"reason":"replaced"}')).toEqual({ event: 'closed', data: { reason: 'replaced' } });
  });

  it('ignores the chat stream’s events and unknown ones', () => {
    expect(parseNotificationEvent('delta', '{"text":"x"}')).toBeNull();
    expect(parseNotificationEvent('message', '{}')).toBeNull();
  });
});
