import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';

let api: TestApp;
let tokens: { user: string; admin: string };
let routes: { method: string; path: string }[];

beforeAll(async () => {
  api = await createTestApp();
  const user = await api.signUp();
  const admin = await api.signUpAdmin();
  tokens = { user: user.token, admin: admin.token };
  const document = (await api.request('GET', '/api/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
});
afterAll(async () => {
  await api?.close();
});

const FIELDS_FOR_NESTING = ['message', 'title', 'email', 'eventId', 'tokens', 'packageId', 'paymentKey', 'sessionId'];
/** JSON text nested to a depth where parsers and transformers recurse out of stack (sent as is). */
const deepBody = fc
  .tuple(fc.constantFrom(30, 33, 2_000, 5_000), fc.constantFrom(...FIELDS_FOR_NESTING))
  .map(([depth, field]) => `{"${field}":${'[{"a":'.repeat(depth / 2)}1${'}]'.repeat(depth / 2)}}`);
/** Strings the database or the tokenizer cannot take: NUL, unpaired surrogates, and long runs. */
const unstorable = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud83d', '\ude00', 'x\ud800y', '\udbff\u0000', '\u200b', '\ufeff'),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(1_000, 10_000, 25_000).map((length) => '\u{1f600}'.repeat(length)),
);

/** Values that have broken servers before: wrong types, huge numbers, odd strings, nesting. */
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '0', '-1', 'null', 'true', '__proto__', 'constructor', "' or 1=1 --", '<script>', '%00', '../../etc/passwd', '\u0000', '9'.repeat(40)),
  unstorable,
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e23, 1e308, -0, 2 ** 63),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);
/** Query values: the same hostility as text, huge and odd numbers included. */
const hostileQuery = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('1e23', '1e308', '-1e23', '9007199254740993', 'NaN', 'Infinity', '0x10', '\u0000', '\ud83d', '%00', '[]', 'a'.repeat(5_000)),
);

const FIELDS = ['message', 'model', 'conversationId', 'packageId', 'email', 'password', 'userId', 'usagePercent', 'tokens', 'reason', 'bucket', 'eventId', 'type', 'paymentId', 'role', 'purchasedTokens', 'limit', 'offset', 'period', 'query', 'level', 'sort', 'page', 'scope', 'before', 'days', 'productId', 'paymentKey', 'orderId', 'amount', 'authKey', 'customerKey', 'sessionId', 'provider', 'title', 'q', 'code', 'planId', 'id', 'name', 'monthlyTokens', 'models', 'completionLimit', 'turnsPerMinute', 'concurrentTurns', 'priceKrw', 'forSale', 'expiresInHours', 'token', 'organizationId', 'monthlyLimitTokens', 'from', 'to', '__proto__'];

const request = fc.record({
  route: fc.nat(),
  caller: fc.constantFrom('anonymous', 'user', 'admin'),
  idSegment: fc.oneof(fc.uuid(), fc.string({ maxLength: 12 }).map(encodeURIComponent), fc.constantFrom('0', '-1', '%2e%2e', 'usage-sweep', 'payments-reconcile', 'toss', 'stripe')),
  body: fc.oneof(fc.dictionary(fc.constantFrom(...FIELDS), hostile, { maxKeys: 5 }), hostile),
  deepBody: fc.option(deepBody, { freq: 8 }),
  query: fc.dictionary(fc.constantFrom(...FIELDS), hostileQuery, { maxKeys: 3 }),
  headers: fc.record(
    {
      'idempotency-key': fc.oneof(fc.string({ maxLength: 30 }), fc.constant('x'.repeat(300))),
      'accept-language': fc.constantFrom('en', 'ko', '*', 'xx-YY', ''),
      'last-event-id': fc.oneof(fc.string({ maxLength: 10 }), fc.constant('99999999999999999999')),
    },
    { requiredKeys: [] },
  ),
});

describe('bad input on every endpoint', () => {
  it('always gets a JSON 4xx error or a success, never a 5xx, and the server stays healthy', async () => {
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const route = routes[input.route % routes.length]!;
        if (route.path === '/api/chat/stream' || route.path === '/api/notifications/stream' || route.path.startsWith('/api/docs')) return;
        const path = route.path.replace(/\{\w+\}/g, input.idSegment) + '?' + new URLSearchParams(input.query).toString();
        const token = input.caller === 'anonymous' ? undefined : tokens[input.caller as 'user' | 'admin'];
        const headers = Object.fromEntries(Object.entries(input.headers).filter(([, value]) => /^[\x20-\x7e]*$/.test(value)));
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : input.body;
        const raw = body !== undefined && input.deepBody !== null ? input.deepBody : undefined;
        const response = await api.request(route.method, path, { token, body: raw === undefined ? body : undefined, rawBody: raw, headers });
        tried += 1;
        expect(response.status, `${route.method} ${path} ${raw === undefined ? JSON.stringify(body) : `nested ${raw.length} bytes`}`).toBeLessThan(500);
        if (response.status >= 400) {
          // `/v1` (OpenAI's clients) answers in OpenAI's error envelope; the rest in ours.
          const shape = route.path.startsWith('/v1/') ? { error: { code: expect.any(String), message: expect.any(String), type: expect.any(String) } } : { code: expect.any(String), message: expect.any(String) };
          expect(response.body, `${route.method} ${path}`).toMatchObject(shape);
          expect(JSON.stringify(response.body)).not.toMatch(/\bat \S+ \(|node_modules|select |insert |update .* set /i);
        }
      }),
      { numRuns: 600 },
    );
    console.log(`fuzzing: ${tried} requests over ${routes.length} routes`);
    expect(tried).toBeGreaterThan(400);
    expect((await api.request('GET', '/health')).body.status).toBe('ok');
  });
});
