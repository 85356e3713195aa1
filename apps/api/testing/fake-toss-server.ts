import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { LocalServer } from './local-server.js';

/**
 * A Toss Payments stand-in for tests, over real HTTP: the REST endpoints the adapter uses (confirm,
 * read by paymentKey or orderId, cancel, billing key issue and charge) with Basic auth and
 * Idempotency-Key replay, and a browser-facing part — a JS SDK at /v2/standard and a payment
 * window at /window — so browser tests can pay or decline as a person would.
 */

export type TossPaymentStatus = 'READY' | 'IN_PROGRESS' | 'WAITING_FOR_DEPOSIT' | 'DONE' | 'CANCELED' | 'PARTIAL_CANCELED' | 'ABORTED' | 'EXPIRED';

/**
 * Faults for the next API calls. `timeout` never answers, `disconnect` drops the connection,
 * `malformed` answers 200 with a body that is not JSON, `incomplete` answers 200 with JSON that
 * is not a Payment, `status500` answers 500; all four hit any API call, before authentication.
 * `decline` refuses the card on the next confirm or billing charge.
 */
export type TossFault = 'status500' | 'timeout' | 'decline' | 'malformed' | 'incomplete' | 'disconnect';

export interface TossCancel {
  transactionKey: string;
  cancelReason: string;
  cancelAmount: number;
  canceledAt: string;
  cancelStatus: 'DONE';
  refundableAmount: number;
  taxFreeAmount: number;
  taxExemptionAmount: number;
  easyPayDiscountAmount: number;
  receiptKey: string | null;
  cancelRequestId: string | null;
}

/** Toss's Payment object, with the fields a card payment fills. */
export interface TossPaymentObject {
  mId: string;
  version: string;
  paymentKey: string;
  type: 'NORMAL' | 'BILLING';
  orderId: string;
  orderName: string;
  currency: 'KRW';
  method: string | null;
  status: TossPaymentStatus;
  totalAmount: number;
  balanceAmount: number;
  suppliedAmount: number;
  vat: number;
  taxFreeAmount: number;
  taxExemptionAmount: number;
  requestedAt: string;
  approvedAt: string | null;
  lastTransactionKey: string | null;
  cancels: TossCancel[] | null;
  failure: { code: string; message: string } | null;
  card: { issuerCode: string; acquirerCode: string; number: string; installmentPlanMonths: number; approveNo: string; cardType: string; ownerType: string; amount: number } | null;
  isPartialCancelable: boolean;
  country: 'KR';
  useEscrow: boolean;
  cultureExpense: boolean;
  secret: string | null;
  receipt: { url: string } | null;
  checkout: { url: string };
  easyPay: null;
  virtualAccount: null;
  transfer: null;
  mobilePhone: null;
  giftCertificate: null;
  cashReceipt: null;
  cashReceipts: null;
  discount: null;
  metadata: null;
}

export interface RecordedTossRequest {
  method: string;
  path: string;
  body: unknown;
  idempotencyKey: string | undefined;
  authorized: boolean;
}

export interface TossWebhookEvent {
  eventType: string;
  createdAt: string;
  data: unknown;
}

interface Answer {
  status: number;
  json: string;
}

const MAX_BODY_BYTES = 1 << 20;
const REJECTED_CARD = { code: 'REJECT_CARD_PAYMENT', message: '한도초과 혹은 잔액부족으로 결제에 실패했습니다.' };
const CANCELED_BY_CUSTOMER = { code: 'PAY_PROCESS_CANCELED', message: '사용자에 의해 결제가 취소되었습니다.' };
const DUPLICATED_ORDER = { code: 'DUPLICATED_ORDER_ID', message: '이미 승인 및 취소가 진행된 중복된 주문번호 입니다.' };

export class FakeTossServer {
  readonly secretKey: string;
  readonly clientKey: string;
  readonly requests: RecordedTossRequest[] = [];
  private readonly payments = new Map<string, TossPaymentObject>();
  /** authKey → customerKey: a card registered in the window, waiting to become a billing key. */
  private readonly authKeys = new Map<string, string>();
  /** billingKey → customerKey. */
  private readonly billingKeys = new Map<string, string>();
  /** `${method} ${path} ${Idempotency-Key}` → the first answer, as Toss keys its replays. */
  private readonly replays = new Map<string, Answer>();
  private readonly faults: Record<TossFault, number> = { status500: 0, timeout: 0, decline: 0, malformed: 0, incomplete: 0, disconnect: 0 };
  private cardsDeclined = false;
  private server: LocalServer | null = null;

  constructor(options: { secretKey?: string; clientKey?: string } = {}) {
    this.secretKey = options.secretKey ?? 'test_sk_fake_toss_secret';
    this.clientKey = options.clientKey ?? 'test_ck_fake_toss_client';
  }

  get url(): string {
    return `${this.server!.origin}`;
  }

  async start(): Promise<this> {
    this.server = await LocalServer.listen((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) reply(response, { status: 500, json: JSON.stringify({ code: 'FAKE_ERROR', message: String(error) }) });
      });
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  // ---- Test controls ----

  /** The next `count` matching calls fail as `kind` says. */
  failNext(kind: TossFault, count = 1): void {
    this.faults[kind] += count;
  }

  /** While on, every confirm and billing charge is refused as a rejected card. */
  declineCard(on = true): void {
    this.cardsDeclined = on;
  }

  /** Clears pending faults and the card decline; the payments stay. */
  reset(): void {
    for (const kind of Object.keys(this.faults) as TossFault[]) this.faults[kind] = 0;
    this.cardsDeclined = false;
  }

  /** The customer authenticated in the payment window: an IN_PROGRESS payment waiting for its confirm. */
  authorize(order: { orderId: string; amount: number; orderName?: string }): string {
    return this.createPayment({ orderId: order.orderId, orderName: order.orderName ?? '테스트 주문', amount: order.amount, type: 'NORMAL' }).paymentKey;
  }

  /** The customer registered a card in the billing window. */
  issueAuthKey(customerKey: string): string {
    const authKey = `bln_${token(24)}`;
    this.authKeys.set(authKey, customerKey);
    return authKey;
  }

  setStatus(paymentKey: string, status: TossPaymentStatus): void {
    const payment = this.mustFind(paymentKey);
    payment.status = status;
    if (status === 'DONE') payment.approvedAt ??= kst(new Date());
  }

  /** A refund made in Toss's dashboard; returns the cancel's transactionKey. */
  cancel(paymentKey: string, amount: number, reason = '관리자 취소'): string {
    const answer = this.cancelPayment(paymentKey, { cancelReason: reason, cancelAmount: amount });
    if (answer.status !== 200) throw new Error(`the fake refused the cancel: ${answer.json}`);
    return this.mustFind(paymentKey).lastTransactionKey!;
  }

  /** A copy of the Payment object as Toss holds it now. */
  payment(paymentKey: string): TossPaymentObject {
    return structuredClone(this.mustFind(paymentKey));
  }

  /** The body Toss would send for this payment's current state. */
  webhookEvent(paymentKey: string, eventType = 'PAYMENT_STATUS_CHANGED'): TossWebhookEvent {
    return { eventType, createdAt: kst(new Date(), { micros: true }), data: this.payment(paymentKey) };
  }

  /** POSTs a webhook as Toss does: JSON, unsigned, with its transmission headers. */
  async sendWebhook(targetUrl: string, body: unknown): Promise<{ status: number; body: string }> {
    const response = await fetch(targetUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'tosspayments-webhook-transmission-id': `whtrans_${token(16)}`,
        'tosspayments-webhook-transmission-time': kst(new Date()),
        'tosspayments-webhook-transmission-retried-count': '0',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    return { status: response.status, body: await response.text() };
  }

  // ---- HTTP ----

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake-toss');
    const raw = await readBody(request);
    if (raw === null) return reply(response, errorAnswer(413, 'INVALID_REQUEST', '요청 본문이 너무 큽니다.'));
    if (request.method === 'GET' && url.pathname === '/v2/standard') return sendScript(response, sdkScript(this.url));
    if (url.pathname === '/window') return this.window(request.method, request.method === 'POST' ? new URLSearchParams(raw) : url.searchParams, response);
    if (url.pathname.startsWith('/v1/')) return this.api(request, url.pathname, raw, response);
    reply(response, errorAnswer(404, 'NOT_FOUND', '존재하지 않는 정보 입니다.'));
  }

  private api(request: http.IncomingMessage, path: string, raw: string, response: http.ServerResponse): void {
    const method = request.method ?? 'GET';
    const idempotencyKey = header(request, 'idempotency-key');
    const authorized = request.headers.authorization === `Basic ${Buffer.from(`${this.secretKey}:`).toString('base64')}`;
    this.requests.push({ method, path, body: parseJson(raw), idempotencyKey, authorized });

    if (this.take('timeout')) return; // Holds the request open until the client gives up.
    if (this.take('disconnect')) return void request.socket.destroy();
    if (this.take('status500')) return reply(response, errorAnswer(500, 'FAILED_INTERNAL_SYSTEM_PROCESSING', '내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.'));
    if (this.take('malformed')) return reply(response, { status: 200, json: '{"paymentKey": "tr' });
    if (this.take('incomplete')) return reply(response, { status: 200, json: JSON.stringify({ status: 'DONE', totalAmount: '5000' }) });
    if (!authorized) return reply(response, errorAnswer(401, 'UNAUTHORIZED_KEY', '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.'));

    // Toss replays a POST's first answer for the same key, API key, path and method, errors included.
    const replayKey = method === 'POST' && idempotencyKey ? `${method} ${path} ${idempotencyKey}` : null;
    const replayed = replayKey ? this.replays.get(replayKey) : undefined;
    if (replayed) return reply(response, replayed);
    const answer = this.route(method, path, parseJson(raw));
    if (replayKey) this.replays.set(replayKey, answer);
    reply(response, answer);
  }

  private route(method: string, path: string, body: unknown): Answer {
    const fields = isRecord(body) ? body : {};
    let match: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/payments/confirm') return this.confirm(fields);
    if (method === 'POST' && path === '/v1/billing/authorizations/issue') return this.issueBillingKey(fields);
    if (method === 'GET' && (match = /^\/v1\/payments\/orders\/([^/]+)$/.exec(path))) return this.read(this.paymentOfOrder(decodeURIComponent(match[1]!)));
    if (method === 'POST' && (match = /^\/v1\/payments\/([^/]+)\/cancel$/.exec(path))) return this.cancelPayment(decodeURIComponent(match[1]!), fields);
    if (method === 'GET' && (match = /^\/v1\/payments\/([^/]+)$/.exec(path))) return this.read(this.payments.get(decodeURIComponent(match[1]!)));
    if (method === 'POST' && (match = /^\/v1\/billing\/([^/]+)$/.exec(path))) return this.chargeBillingKey(decodeURIComponent(match[1]!), fields);
    return errorAnswer(404, 'NOT_FOUND', '존재하지 않는 정보 입니다.');
  }

  private read(payment: TossPaymentObject | undefined): Answer {
    return payment ? ok(payment) : errorAnswer(404, 'NOT_FOUND_PAYMENT', '존재하지 않는 결제 정보 입니다.');
  }

  /** Moves an authenticated payment to DONE, if the amount is the one the window was opened with. */
  private confirm(fields: Record<string, unknown>): Answer {
    const { paymentKey, orderId, amount } = fields;
    if (typeof paymentKey !== 'string' || typeof orderId !== 'string' || typeof amount !== 'number') return errorAnswer(400, 'INVALID_REQUEST', '잘못된 요청입니다.');
    const payment = this.payments.get(paymentKey);
    if (!payment) return errorAnswer(404, 'NOT_FOUND_PAYMENT', '존재하지 않는 결제 정보 입니다.');
    if (payment.status === 'EXPIRED') return errorAnswer(404, 'NOT_FOUND_PAYMENT_SESSION', '결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.');
    if (payment.status !== 'READY' && payment.status !== 'IN_PROGRESS') return errorAnswer(400, 'ALREADY_PROCESSED_PAYMENT', '이미 처리된 결제 입니다.');
    if (payment.orderId !== orderId || payment.totalAmount !== amount) return errorAnswer(400, 'INVALID_REQUEST', '결제 정보가 결제창의 주문번호 또는 금액과 일치하지 않습니다.');
    if (this.cardRefused()) return abort(payment);
    approve(payment);
    return ok(payment);
  }

  private issueBillingKey(fields: Record<string, unknown>): Answer {
    const { authKey, customerKey } = fields;
    if (typeof authKey !== 'string' || typeof customerKey !== 'string') return errorAnswer(400, 'INVALID_REQUEST', '잘못된 요청입니다.');
    if (this.authKeys.get(authKey) !== customerKey) return errorAnswer(400, 'INVALID_AUTH_KEY', '유효하지 않은 인증 키입니다.');
    // An auth key is good for one billing key.
    this.authKeys.delete(authKey);
    const billingKey = token(32);
    this.billingKeys.set(billingKey, customerKey);
    return ok({ mId: 'tosspayments', customerKey, authenticatedAt: kst(new Date()), method: '카드', billingKey, cardCompany: '현대', cardNumber: '43301234****123*', card: { issuerCode: '61', acquirerCode: '31', number: '43301234****123*', cardType: '신용', ownerType: '개인' } });
  }

  private chargeBillingKey(billingKey: string, fields: Record<string, unknown>): Answer {
    const { customerKey, amount, orderId, orderName } = fields;
    if (typeof customerKey !== 'string' || typeof amount !== 'number' || typeof orderId !== 'string' || typeof orderName !== 'string') return errorAnswer(400, 'INVALID_REQUEST', '잘못된 요청입니다.');
    const owner = this.billingKeys.get(billingKey);
    if (owner === undefined) return errorAnswer(404, 'NOT_FOUND_BILLING', '존재하지 않는 빌링키 입니다.');
    if (owner !== customerKey) return errorAnswer(403, 'NOT_MATCHES_CUSTOMER_KEY', '빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다.');
    if (this.settledPaymentOf(orderId)) return errorAnswer(400, DUPLICATED_ORDER.code, DUPLICATED_ORDER.message);
    const payment = this.createPayment({ orderId, orderName, amount, type: 'BILLING' });
    if (this.cardRefused()) return abort(payment);
    // A billing charge is requested and approved in one call.
    approve(payment);
    return ok(payment);
  }

  private cancelPayment(paymentKey: string, fields: Record<string, unknown>): Answer {
    const payment = this.payments.get(paymentKey);
    if (!payment) return errorAnswer(404, 'NOT_FOUND_PAYMENT', '존재하지 않는 결제 정보 입니다.');
    const { cancelReason, cancelAmount = payment.balanceAmount } = fields;
    if (typeof cancelReason !== 'string' || cancelReason === '' || typeof cancelAmount !== 'number' || !Number.isInteger(cancelAmount) || cancelAmount <= 0) {
      return errorAnswer(400, 'INVALID_REQUEST', '잘못된 요청입니다.');
    }
    if (payment.status === 'CANCELED') return errorAnswer(400, 'ALREADY_CANCELED_PAYMENT', '이미 취소된 결제 입니다.');
    if (payment.status !== 'DONE' && payment.status !== 'PARTIAL_CANCELED') return errorAnswer(403, 'NOT_CANCELABLE_PAYMENT', '취소 할 수 없는 결제 입니다.');
    if (cancelAmount > payment.balanceAmount) return errorAnswer(403, 'NOT_CANCELABLE_AMOUNT', '취소 할 수 없는 금액 입니다.');
    const transactionKey = transactionId();
    payment.balanceAmount -= cancelAmount;
    payment.status = payment.balanceAmount === 0 ? 'CANCELED' : 'PARTIAL_CANCELED';
    payment.lastTransactionKey = transactionKey;
    const cancel: TossCancel = {
      transactionKey,
      cancelReason,
      cancelAmount,
      canceledAt: kst(new Date()),
      cancelStatus: 'DONE',
      refundableAmount: payment.balanceAmount,
      taxFreeAmount: 0,
      taxExemptionAmount: 0,
      easyPayDiscountAmount: 0,
      receiptKey: null,
      cancelRequestId: null,
    };
    payment.cancels = [...(payment.cancels ?? []), cancel];
    return ok(payment);
  }

  // ---- The browser-facing payment window ----

  /** GET shows the window; POST is its form: pay, decline the card, or cancel. */
  private window(method: string | undefined, params: URLSearchParams, response: http.ServerResponse): void {
    const request = windowRequest(params);
    if (typeof request === 'string') return sendHtml(response, 400, page('결제 요청 오류', `<p>${escapeHtml(request)}</p>`));
    if (request.clientKey !== this.clientKey) return sendHtml(response, 401, page('결제 요청 오류', '<p>인증되지 않은 클라이언트 키 입니다.</p>'));
    if (method !== 'POST') return sendHtml(response, 200, windowPage(params, request));
    const action = params.get('action');
    if (action === 'pay') return redirect(response, this.pay(request));
    const failure = action === 'reject' ? REJECTED_CARD : CANCELED_BY_CUSTOMER;
    redirect(response, withQuery(request.failUrl, { ...failure, ...(request.flow === 'payment' ? { orderId: request.orderId } : {}) }));
  }

  /** Where the window sends the browser after "결제하기". */
  private pay(request: WindowRequest): string {
    if (request.flow === 'billing') {
      return withQuery(request.successUrl, { customerKey: request.customerKey, authKey: this.issueAuthKey(request.customerKey) });
    }
    if (this.settledPaymentOf(request.orderId)) return withQuery(request.failUrl, { ...DUPLICATED_ORDER, orderId: request.orderId });
    const paymentKey = this.authorize({ orderId: request.orderId, amount: request.amount, orderName: request.orderName });
    return withQuery(request.successUrl, { paymentType: 'NORMAL', orderId: request.orderId, paymentKey, amount: String(request.amount) });
  }

  // ---- Store ----

  private createPayment(order: { orderId: string; orderName: string; amount: number; type: 'NORMAL' | 'BILLING' }): TossPaymentObject {
    const paymentKey = `tfake${token(24)}`;
    const vat = Math.round(order.amount / 11);
    const payment: TossPaymentObject = {
      mId: 'tosspayments',
      version: '2022-11-16',
      paymentKey,
      type: order.type,
      orderId: order.orderId,
      orderName: order.orderName,
      currency: 'KRW',
      method: '카드',
      status: 'IN_PROGRESS',
      totalAmount: order.amount,
      balanceAmount: order.amount,
      suppliedAmount: order.amount - vat,
      vat,
      taxFreeAmount: 0,
      taxExemptionAmount: 0,
      requestedAt: kst(new Date()),
      approvedAt: null,
      lastTransactionKey: null,
      cancels: null,
      failure: null,
      card: { issuerCode: '61', acquirerCode: '31', number: '43301234****123*', installmentPlanMonths: 0, approveNo: '00000000', cardType: '신용', ownerType: '개인', amount: order.amount },
      isPartialCancelable: true,
      country: 'KR',
      useEscrow: false,
      cultureExpense: false,
      secret: null,
      receipt: null,
      checkout: { url: `${this.url}/v1/payments/${paymentKey}/checkout` },
      easyPay: null,
      virtualAccount: null,
      transfer: null,
      mobilePhone: null,
      giftCertificate: null,
      cashReceipt: null,
      cashReceipts: null,
      discount: null,
      metadata: null,
    };
    this.payments.set(paymentKey, payment);
    return payment;
  }

  /** The order's payment: a settled one if there is one, else the latest attempt. */
  private paymentOfOrder(orderId: string): TossPaymentObject | undefined {
    const attempts = [...this.payments.values()].filter((payment) => payment.orderId === orderId);
    return this.settledPaymentOf(orderId) ?? attempts.at(-1);
  }

  private settledPaymentOf(orderId: string): TossPaymentObject | undefined {
    return [...this.payments.values()].find((payment) => payment.orderId === orderId && ['DONE', 'CANCELED', 'PARTIAL_CANCELED'].includes(payment.status));
  }

  private mustFind(paymentKey: string): TossPaymentObject {
    const payment = this.payments.get(paymentKey);
    if (!payment) throw new Error(`the fake has no payment ${paymentKey}`);
    return payment;
  }

  private take(kind: TossFault): boolean {
    if (this.faults[kind] === 0) return false;
    this.faults[kind] -= 1;
    return true;
  }

  private cardRefused(): boolean {
    return this.take('decline') || this.cardsDeclined;
  }
}

// ---- The payment window's request and pages ----

interface WindowRequest {
  flow: 'payment' | 'billing';
  clientKey: string;
  customerKey: string;
  orderId: string;
  orderName: string;
  amount: number;
  successUrl: string;
  failUrl: string;
}

/** The window's parameters, or what is wrong with them. */
function windowRequest(params: URLSearchParams): WindowRequest | string {
  const flowParameter = params.get('flow');
  const flow = flowParameter === 'payment' || flowParameter === 'billing' ? flowParameter : null;
  if (!flow) return 'flow가 올바르지 않습니다.';
  const request: WindowRequest = {
    flow,
    clientKey: params.get('clientKey') ?? '',
    customerKey: params.get('customerKey') ?? '',
    orderId: params.get('orderId') ?? '',
    orderName: params.get('orderName') ?? '',
    amount: Number(params.get('amount')),
    successUrl: params.get('successUrl') ?? '',
    failUrl: params.get('failUrl') ?? '',
  };
  if (!URL.canParse(request.successUrl) || !URL.canParse(request.failUrl)) return 'successUrl과 failUrl은 절대 주소여야 합니다.';
  if (flow === 'billing') return request.customerKey ? request : 'customerKey가 필요합니다.';
  if (!request.orderId || !request.orderName) return 'orderId와 orderName이 필요합니다.';
  if (!Number.isInteger(request.amount) || request.amount <= 0) return '결제 금액이 올바르지 않습니다.';
  return request;
}

function windowPage(params: URLSearchParams, request: WindowRequest): string {
  const hidden = [...params].filter(([name]) => name !== 'action').map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`);
  const summary =
    request.flow === 'payment'
      ? `<p class="order">${escapeHtml(request.orderName)}</p><p class="amount">${request.amount.toLocaleString('ko-KR')}원</p>`
      : '<p class="order">자동결제에 사용할 카드를 등록합니다.</p>';
  const buttons = ['<button name="action" value="pay">결제하기</button>', '<button name="action" value="reject">카드 거절</button>', '<button name="action" value="cancel">결제 취소</button>'];
  return page('토스페이먼츠 결제창 (테스트)', `${summary}<form method="post" action="/window">${hidden.join('')}${buttons.join(' ')}</form>`);
}

function page(title: string, content: string): string {
  return `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`;
}

/**
 * The SDK v2 surface the web app calls: TossPayments(clientKey).payment({ customerKey })
 * .requestPayment(...) and .requestBillingAuth(...). Both navigate to the fake's window.
 */
function sdkScript(baseUrl: string): string {
  return `(function () {
  var base = ${JSON.stringify(baseUrl)};
  function open(query) {
    window.location.assign(base + '/window?' + new URLSearchParams(query).toString());
    return new Promise(function () {});
  }
  function fail(message) {
    return Promise.reject(Object.assign(new Error(message), { code: 'INVALID_PARAMETERS' }));
  }
  function TossPayments(clientKey) {
    if (!clientKey) throw new Error('clientKey가 필요합니다.');
    return {
      payment: function (options) {
        var customerKey = (options && options.customerKey) || '';
        return {
          requestPayment: function (params) {
            if (!params || params.method !== 'CARD') return fail('이 테스트 결제창은 method: CARD만 지원합니다.');
            if (!params.amount || typeof params.amount.value !== 'number') return fail('amount.value가 필요합니다.');
            return open({ flow: 'payment', clientKey: clientKey, customerKey: customerKey, orderId: params.orderId || '', orderName: params.orderName || '',
              amount: String(params.amount.value), currency: params.amount.currency || 'KRW', successUrl: params.successUrl || '', failUrl: params.failUrl || '',
              customerEmail: params.customerEmail || '' });
          },
          requestBillingAuth: function (params) {
            if (!params || params.method !== 'CARD') return fail('이 테스트 결제창은 method: CARD만 지원합니다.');
            return open({ flow: 'billing', clientKey: clientKey, customerKey: customerKey, successUrl: params.successUrl || '', failUrl: params.failUrl || '',
              customerEmail: params.customerEmail || '' });
          }
        };
      }
    };
  }
  TossPayments.ANONYMOUS = '@@ANONYMOUS';
  window.TossPayments = TossPayments;
})();
`;
}

// ---- Small helpers ----

function approve(payment: TossPaymentObject): void {
  payment.status = 'DONE';
  payment.approvedAt = kst(new Date());
  payment.lastTransactionKey = transactionId();
  payment.failure = null;
  payment.receipt = { url: `https://dashboard.tosspayments.com/receipt/redirection?transactionId=${payment.paymentKey}` };
}

/** The card company said no: the payment ends ABORTED, and the call answers 403. */
function abort(payment: TossPaymentObject): Answer {
  payment.status = 'ABORTED';
  payment.failure = { ...REJECTED_CARD };
  return errorAnswer(403, REJECTED_CARD.code, REJECTED_CARD.message);
}

function ok(body: unknown): Answer {
  return { status: 200, json: JSON.stringify(body) };
}

function errorAnswer(status: number, code: string, message: string): Answer {
  return { status, json: JSON.stringify({ code, message }) };
}

function reply(response: http.ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(answer.json);
}

function sendHtml(response: http.ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(html);
}

function sendScript(response: http.ServerResponse, script: string): void {
  response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
  response.end(script);
}

function redirect(response: http.ServerResponse, location: string): void {
  // 303: the browser follows a POSTed form with a GET, as after Toss's window.
  response.writeHead(303, { location });
  response.end();
}

function withQuery(url: string, query: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target.toString();
}

/** The body as text, or null past the size limit. */
async function readBody(request: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function transactionId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** Toss's timestamps are Korean time with the offset written out (2024-01-01T12:00:00+09:00); webhooks' createdAt has microseconds and no offset. */
function kst(date: Date, options: { micros?: boolean } = {}): string {
  const local = new Date(date.getTime() + 9 * 60 * 60 * 1000).toISOString();
  return options.micros ? `${local.slice(0, 23)}000` : `${local.slice(0, 19)}+09:00`;
}
