/**
 * Typed domain errors. Services throw these; one exception filter turns them into the JSON
 * error body of SPEC section 4, with the message in the client's language.
 */
export type Localized = { ko: string; en: string };

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly localized: Localized;
  /** Extra fields of the error body. */
  details(): Record<string, unknown> {
    return {};
  }
}

function domainError(code: string, status: number, localized: Localized) {
  return class extends DomainError {
    readonly code = code;
    readonly status = status;
    readonly localized = localized;
    constructor() {
      super(localized.en);
    }
  };
}

export class UnauthorizedError extends domainError('UNAUTHORIZED', 401, {
  ko: '로그인이 필요합니다.',
  en: 'Authentication is required.',
}) {}

export class InvalidCredentialsError extends domainError('INVALID_CREDENTIALS', 401, {
  ko: '이메일 또는 비밀번호가 올바르지 않습니다.',
  en: 'The email or password is incorrect.',
}) {}

/** An API key that is missing, malformed, unknown, revoked or expired (the same answer for each). */
export class InvalidApiKeyError extends domainError('INVALID_API_KEY', 401, {
  ko: 'API 키가 올바르지 않거나 더 이상 쓸 수 없습니다.',
  en: 'The API key is not valid, or can no longer be used.',
}) {}

/** A signed-in user's current password, asked for before a change, is not theirs (not a 401: the session is fine). */
export class WrongCurrentPasswordError extends domainError('WRONG_CURRENT_PASSWORD', 400, {
  ko: '지금 쓰는 비밀번호가 올바르지 않습니다.',
  en: 'The current password is incorrect.',
}) {}

export class ForbiddenError extends domainError('FORBIDDEN', 403, {
  ko: '이 작업을 할 권한이 없습니다.',
  en: 'You are not allowed to do this.',
}) {}

export class NotFoundError extends domainError('NOT_FOUND', 404, {
  ko: '요청한 항목을 찾을 수 없습니다.',
  en: 'The requested item was not found.',
}) {}

export class EmailTakenError extends domainError('EMAIL_TAKEN', 409, {
  ko: '이미 가입된 이메일입니다.',
  en: 'This email is already registered.',
}) {}

export class IdempotencyConflictError extends domainError('IDEMPOTENCY_KEY_REUSED', 409, {
  ko: '같은 Idempotency-Key가 다른 요청 내용으로 이미 사용되었습니다.',
  en: 'This Idempotency-Key was already used with a different request body.',
}) {}

export class IdempotencyInProgressError extends domainError('IDEMPOTENCY_KEY_IN_PROGRESS', 409, {
  ko: '같은 Idempotency-Key의 요청을 아직 처리하고 있습니다. 잠시 후 다시 시도해 주세요.',
  en: 'A request with this Idempotency-Key is still being processed. Try again shortly.',
}) {}

export class IdempotencyKeyRequiredError extends domainError('IDEMPOTENCY_KEY_REQUIRED', 400, {
  ko: '결제 요청에는 Idempotency-Key 헤더가 필요합니다.',
  en: 'A purchase needs an Idempotency-Key header.',
}) {}

export class HoldClosedError extends domainError('HOLD_CLOSED', 409, {
  ko: '이 답변에 잡아 둔 토큰은 이미 정산되었거나 돌려받았습니다.',
  en: 'The tokens set aside for this answer were already settled or returned.',
}) {}

export class InsufficientTokensError extends domainError('INSUFFICIENT_TOKENS', 409, {
  ko: '차감할 토큰이 부족합니다.',
  en: 'There are not enough tokens to remove.',
}) {}

export class AmountMismatchError extends domainError('AMOUNT_MISMATCH', 400, {
  ko: '결제 금액이 주문 금액과 다릅니다. 결제가 승인되지 않았습니다.',
  en: 'The payment amount differs from the order amount; the payment was not confirmed.',
}) {}

export class InvalidPaymentReturnError extends domainError('INVALID_PAYMENT_RETURN', 400, {
  ko: '결제사에서 돌아온 정보가 이 주문과 맞지 않습니다. 결제가 승인되지 않았습니다.',
  en: "The payment provider's return does not match this order; the payment was not confirmed.",
}) {}

export class NotRefundableError extends domainError('NOT_REFUNDABLE', 409, {
  ko: '환불할 수 있는 토큰이 없습니다. 이미 환불되었거나 구매한 토큰을 모두 사용했습니다.',
  en: 'Nothing can be refunded: the order was refunded already or its tokens have been spent.',
}) {}

export class RefundTooSmallError extends domainError('REFUND_TOO_SMALL', 400, {
  ko: '환불 금액이 1원(최소 단위)보다 작습니다. 토큰 수를 늘려 주세요.',
  en: 'That many tokens are worth less than the smallest unit of money; refund more tokens.',
}) {}

export class PaymentProviderUnavailableError extends domainError('PAYMENT_PROVIDER_UNAVAILABLE', 503, {
  ko: '결제사가 응답하지 않습니다. 잠시 후 다시 시도해 주세요. 결제가 완료되었다면 자동으로 반영됩니다.',
  en: 'The payment provider is not answering. Try again shortly; a completed payment will be applied automatically.',
}) {}

export class InvalidSignatureError extends domainError('INVALID_SIGNATURE', 401, {
  ko: '서명이 올바르지 않거나 만료되었습니다.',
  en: 'The signature is invalid or too old.',
}) {}

const EXHAUSTED_MESSAGES = {
  personal: {
    ko: '토큰을 모두 사용했습니다. 토큰을 추가로 구매하면 바로 다시 상담할 수 있습니다.',
    en: 'You have used all your tokens. Buy more tokens to continue right away.',
  },
  organization: {
    ko: '조직의 토큰을 모두 사용했습니다. 조직 소유자나 조직 관리자에게 알려 주세요. 내 계정으로는 계속 상담할 수 있습니다.',
    en: 'Your organization has used all its tokens. Let its owners or organization admins know; you can still chat on your own account.',
  },
} as const;

/** The account (a person's, or an organization's pool) is past its hard limit. */
export class TokenExhaustedError extends DomainError {
  readonly code = 'TOKEN_EXHAUSTED';
  readonly status = 402;
  readonly localized: { ko: string; en: string };
  constructor(
    readonly remainingTokens: number,
    readonly usagePercent: number,
    readonly purchaseUrl: string,
    /** Whose tokens ran out: the person's own, or their organization's pool. */
    readonly scope: 'personal' | 'organization' = 'personal',
  ) {
    super('token exhausted');
    this.localized = EXHAUSTED_MESSAGES[scope];
  }
  override details() {
    return {
      remainingTokens: this.remainingTokens,
      usagePercent: this.usagePercent,
      limit: this.scope === 'organization' ? 'ORGANIZATION' : 'ACCOUNT',
      recommendedAction: this.scope === 'organization' ? 'ASK_ORGANIZATION_ADMIN' : 'PURCHASE_TOKENS',
      purchaseUrl: this.purchaseUrl,
    };
  }
}

/** A member's monthly limit in their organization's pool is reached, though the pool may have room. */
export class MemberLimitReachedError extends DomainError {
  readonly code = 'MEMBER_LIMIT_REACHED';
  readonly status = 402;
  readonly localized = {
    ko: '이번 달 조직에서 쓸 수 있는 내 한도를 모두 사용했습니다. 한도를 늘리려면 조직 관리자에게 요청해 주세요.',
    en: 'You have used your monthly limit in this organization. Ask an organization admin to raise it.',
  };
  constructor(
    readonly limitTokens: number,
    readonly remainingTokens: number,
  ) {
    super('member limit reached');
  }
  override details() {
    return { limit: 'MEMBER', limitTokens: this.limitTokens, remainingTokens: this.remainingTokens, recommendedAction: 'ASK_ORGANIZATION_ADMIN' };
  }
}

export interface FieldProblem {
  field: string;
  problems: string[];
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
  readonly localized = { ko: '요청 내용이 올바르지 않습니다.', en: 'The request is not valid.' };
  constructor(readonly fields: FieldProblem[]) {
    super('validation failed');
  }
  override details() {
    return { fields: this.fields };
  }
}

export class ServerBusyError extends domainError('SERVER_BUSY', 503, {
  ko: '지금은 요청이 많아 처리할 수 없습니다. 잠시 후 다시 시도해 주세요.',
  en: 'The server is busy right now. Please try again shortly.',
}) {}

export class StreamsExhaustedError extends domainError('STREAMS_EXHAUSTED', 503, {
  ko: '지금은 실시간 알림 연결이 너무 많습니다. 잠시 후 다시 시도해 주세요.',
  en: 'Too many live notification connections right now. Try again shortly.',
}) {}

export class UnsupportedCharsetError extends domainError('UNSUPPORTED_MEDIA_TYPE', 415, {
  ko: 'JSON 본문은 UTF-8로 보내 주세요.',
  en: 'Send the JSON body in UTF-8.',
}) {}

/** The client left before the work began (nginx's 499): nothing was done, nobody reads the answer. */
export class ClientClosedError extends domainError('CLIENT_CLOSED', 499, {
  ko: '요청이 취소되었습니다.',
  en: 'The request was cancelled.',
}) {}

/** The account's plan does not include the model asked for. */
export class PlanModelNotAllowedError extends DomainError {
  readonly code = 'PLAN_MODEL_NOT_ALLOWED';
  readonly status = 402;
  readonly localized = {
    ko: '지금 요금제에서는 이 모델을 쓸 수 없습니다. 다른 모델을 고르거나 요금제를 바꿔 주세요.',
    en: 'Your plan does not include this model. Choose another model or change your plan.',
  };
  constructor(
    readonly planId: string,
    readonly allowedModels: readonly string[],
  ) {
    super('model not in plan');
  }
  override details() {
    return { planId: this.planId, allowedModels: this.allowedModels, recommendedAction: 'CHANGE_PLAN' };
  }
}

/** No model has the id asked for (OpenAI's clients expect a 404 `model_not_found`). */
export class ModelNotFoundError extends DomainError {
  readonly code = 'MODEL_NOT_FOUND';
  readonly status = 404;
  readonly localized = { ko: '그런 모델이 없습니다.', en: 'There is no such model.' };
  constructor(readonly allowedModels: readonly string[]) {
    super('model not found');
  }
  override details() {
    return { allowedModels: this.allowedModels };
  }
}

/** An API key's own monthly budget is spent (its account may still have tokens). */
export class ApiKeyBudgetReachedError extends DomainError {
  readonly code = 'API_KEY_BUDGET_REACHED';
  readonly status = 402;
  readonly localized = {
    ko: '이 API 키의 이번 달 예산을 모두 사용했습니다. 키를 관리하는 사람에게 예산을 늘려 달라고 요청해 주세요.',
    en: "This API key's monthly budget is spent. Ask whoever manages the key to raise it.",
  };
  constructor(
    readonly budgetTokens: number,
    readonly remainingTokens: number,
  ) {
    super('api key budget reached');
  }
  override details() {
    return { limit: 'API_KEY', limitTokens: this.budgetTokens, remainingTokens: this.remainingTokens };
  }
}

/** An owner (a person, or an organization) has as many API keys in use as it may. */
export class TooManyApiKeysError extends DomainError {
  readonly code = 'TOO_MANY_API_KEYS';
  readonly status = 409;
  readonly localized = {
    ko: '사용 중인 API 키가 너무 많습니다. 쓰지 않는 키를 폐기한 뒤 다시 만들어 주세요.',
    en: 'There are too many API keys in use. Revoke one you no longer use, then create the new one.',
  };
  constructor(readonly limit: number) {
    super('too many api keys');
  }
  override details() {
    return { limit: this.limit };
  }
}

/** The API key may not use the model asked for (its own list, within the plan's). */
export class ApiKeyModelNotAllowedError extends DomainError {
  readonly code = 'API_KEY_MODEL_NOT_ALLOWED';
  readonly status = 404;
  readonly localized = {
    ko: '이 API 키로는 이 모델을 쓸 수 없습니다.',
    en: 'This API key may not use this model.',
  };
  constructor(readonly allowedModels: readonly string[]) {
    super('model not allowed for the key');
  }
  override details() {
    return { allowedModels: this.allowedModels };
  }
}

/** The plan's cap on answers being written at once is reached. */
export class TooManyConcurrentTurnsError extends DomainError {
  readonly code = 'TOO_MANY_CONCURRENT_TURNS';
  readonly status = 429;
  readonly localized: Localized;
  /** `scope`: whose cap it is — the plan's, or the API key's own. */
  constructor(
    readonly limit: number,
    readonly scope: 'plan' | 'api-key' = 'plan',
  ) {
    super('too many concurrent turns');
    this.localized =
      scope === 'plan'
        ? { ko: '동시에 받을 수 있는 답변 수를 넘었습니다. 진행 중인 답변이 끝난 뒤 다시 보내 주세요.', en: 'Too many answers are being written at once. Send again when one has finished.' }
        : { ko: '이 API 키로 동시에 받을 수 있는 답변 수를 넘었습니다. 진행 중인 답변이 끝난 뒤 다시 보내 주세요.', en: 'This API key has the most answers in progress it may have at once. Send again when one has finished.' };
  }
  override details() {
    return { limit: this.limit, ...(this.scope === 'api-key' ? { limitOf: 'API_KEY' } : {}) };
  }
}

/** The plan's turns per minute are used up. */
export class TooManyTurnsError extends DomainError {
  readonly code = 'TOO_MANY_TURNS';
  readonly status = 429;
  readonly localized: Localized;
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds: number,
    /** Whose limit it is — the plan's, or the API key's own. */
    readonly scope: 'plan' | 'api-key' = 'plan',
  ) {
    super('too many turns');
    this.localized =
      scope === 'plan'
        ? { ko: '1분 동안 보낼 수 있는 질문 수를 넘었습니다. 잠시 후 다시 보내 주세요.', en: 'You have sent the most questions a minute your plan allows. Send again shortly.' }
        : { ko: '이 API 키로 1분 동안 보낼 수 있는 요청 수를 넘었습니다. 잠시 후 다시 보내 주세요.', en: 'This API key has sent the most requests a minute it may. Send again shortly.' };
  }
  override details() {
    return { limit: this.limit, retryAfterSeconds: this.retryAfterSeconds, ...(this.scope === 'api-key' ? { limitOf: 'API_KEY' } : {}) };
  }
}

export class PlanNotOfferedError extends domainError('PLAN_NOT_OFFERED', 409, {
  ko: '이 요금제는 지금 가입할 수 없습니다.',
  en: 'This plan is not offered right now.',
}) {}

/**
 * In the 35 minutes before a plan's renewal day at a provider that renews by itself (Stripe): a
 * payment window open across it would be charged a whole month more, so none is opened.
 */
export class PlanCheckoutPausedError extends domainError('PLAN_CHECKOUT_PAUSED', 409, {
  ko: '매월 정기 결제일(26일) 0시 직전 35분 동안은 요금제를 결제할 수 없습니다. 0시가 지난 뒤 다시 시도해 주세요.',
  en: 'Plans cannot be paid for in the 35 minutes before the monthly billing day (the 26th) begins. Please try again after midnight.',
}) {}

/** A paid plan is bought through checkout (with its payment), not switched to. */
export class PlanNeedsPaymentError extends domainError('PLAN_NEEDS_PAYMENT', 409, {
  ko: '유료 요금제는 결제를 마쳐야 바뀝니다.',
  en: 'A paid plan starts once it is paid for.',
}) {}

/** The plan already runs, paid through this period: a second payment would buy nothing. */
export class PlanAlreadyPaidError extends domainError('PLAN_ALREADY_PAID', 409, {
  ko: '이미 이번 달 결제가 끝난 요금제입니다.',
  en: 'This plan is already paid for this month.',
}) {}

export class PlanExistsError extends domainError('PLAN_EXISTS', 409, {
  ko: '같은 ID의 요금제가 이미 있습니다.',
  en: 'A plan with this id already exists.',
}) {}

export class FreePlanRequiredError extends domainError('FREE_PLAN_REQUIRED', 409, {
  ko: '무료 요금제는 모든 계정이 돌아가는 요금제라 판매 중지하거나 유료로 바꿀 수 없습니다.',
  en: 'The free plan is where every account falls back to: it cannot be retired or given a price.',
}) {}

export class InvitationInvalidError extends domainError('INVITATION_INVALID', 410, {
  ko: '초대 링크가 만료되었거나 이미 사용되었습니다. 조직 관리자에게 새 링크를 요청해 주세요.',
  en: 'This invitation link has expired or was already used. Ask the organization’s admin for a new one.',
}) {}

export class AlreadyMemberError extends domainError('ALREADY_MEMBER', 409, {
  ko: '이미 이 조직의 구성원입니다.',
  en: 'You are already a member of this organization.',
}) {}

export class LastOwnerError extends domainError('LAST_OWNER', 409, {
  ko: '조직에는 소유자가 한 명 이상 있어야 합니다. 다른 구성원을 먼저 소유자로 지정해 주세요.',
  en: 'An organization needs at least one owner. Make another member an owner first.',
}) {}

/** An export would hold more rows than one file may: a shorter period fits. */
export class ExportTooLargeError extends DomainError {
  readonly code = 'EXPORT_TOO_LARGE';
  readonly status = 413;
  readonly localized = {
    ko: '내려받을 내역이 너무 많습니다. 기간을 줄여 다시 시도해 주세요.',
    en: 'There are too many entries to download at once. Choose a shorter period.',
  };
  constructor(
    readonly rows: number,
    readonly maxRows: number,
  ) {
    super('export too large');
  }
  override details() {
    return { rows: this.rows, maxRows: this.maxRows };
  }
}

/** An admin suspended the account: signing in is refused until they reactivate it. */
export class AccountSuspendedError extends domainError('ACCOUNT_SUSPENDED', 403, {
  ko: '관리자가 잠근 계정입니다. 고객센터로 문의해 주세요.',
  en: 'This account is locked by an administrator. Please contact support.',
}) {}

/** A password-reset or verification link that is unknown, already used or expired (one answer for each). */
export class InvalidAccountLinkError extends domainError('INVALID_LINK', 400, {
  ko: '링크가 만료되었거나 이미 사용되었습니다. 새 링크를 받아 주세요.',
  en: 'This link has expired or was already used. Ask for a new one.',
}) {}

/** The account's address is not verified yet and its small allowance is spent. */
export class EmailNotVerifiedError extends domainError('EMAIL_NOT_VERIFIED', 403, {
  ko: '이메일 인증을 마치면 계속 이용할 수 있습니다. 받은 메일의 링크를 눌러 주세요.',
  en: 'Verify your email address to go on: open the link in the mail we sent you.',
}) {}

/** An account that is an organization's only owner, with other members, cannot be deleted: ownership goes to one of them first. */
export class OwnsOrganizationError extends DomainError {
  readonly code = 'OWNS_ORGANIZATION';
  readonly status = 409;
  readonly localized = {
    ko: '소유자가 회원님 한 명뿐인 조직이 있습니다. 다른 구성원을 소유자로 지정한 뒤 다시 시도해 주세요.',
    en: 'You are the only owner of an organization. Make another member an owner, then try again.',
  };
  constructor(readonly organizations: { id: string; name: string }[]) {
    super('owns organization');
  }
  override details() {
    return { organizations: this.organizations };
  }
}

/** Admins are not suspended from the admin screens (the last admin would lock everyone out). */
export class CannotSuspendAdminError extends domainError('CANNOT_SUSPEND_ADMIN', 409, {
  ko: '관리자 계정은 잠글 수 없습니다.',
  en: 'An admin account cannot be locked.',
}) {}

/** An order of the account is still being paid: deleting now could leave a payment (or a subscription) on an account nobody has. */
export class PaymentInProgressError extends domainError('PAYMENT_IN_PROGRESS', 409, {
  ko: '결제가 진행 중인 주문이 있습니다. 결제를 마치거나 취소한 뒤 다시 시도해 주세요. 결제 창을 닫으면 한 시간 안에 주문이 정리됩니다.',
  en: 'An order is still being paid. Finish or cancel the payment, then try again. An abandoned payment window is cleared within an hour.',
}) {}

/** A turn sent to an archived conversation: it is restored first ("continue"), so its history comes back whole. */
export class ConversationArchivedError extends domainError('CONVERSATION_ARCHIVED', 409, {
  ko: '보관된 대화입니다. ‘이어서 대화하기’를 눌러 대화를 되살린 뒤 보내 주세요.',
  en: 'This conversation is archived. Choose “Continue” to bring it back, then send your message.',
}) {}

/** An archived conversation whose archive does not match its checksum: never served as if whole. */
export class ArchiveDamagedError extends domainError('ARCHIVE_DAMAGED', 500, {
  ko: '보관된 대화를 읽지 못했습니다. 고객센터로 문의해 주세요.',
  en: 'This archived conversation could not be read. Please contact support.',
}) {}
