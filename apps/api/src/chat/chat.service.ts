import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { evaluateUsage, usageMessage, type Locale, type UsageEvaluation } from '@consult-on/quota-policy';
import type { AuthUser } from '../auth/auth.decorators.js';
import { ArchiveService } from '../archive/archive.service.js';
import { APP_CONFIG, type AppConfig, type ModelConfig } from '../config/app-config.js';
import { ConversationArchivedError, EmailNotVerifiedError, NotFoundError, PlanModelNotAllowedError, ValidationFailedError } from '../common/errors.js';
import { chargedTokens, completionTokensWithin, ModelCatalog } from '../llm/model-catalog.js';
import { MODEL_PROVIDER, type ChatMessage, type ModelProvider } from '../llm/model-provider.js';
import { isLongText, promptTokensOf, TokenCounter } from '../llm/token-counter.js';
import { PlanCatalog } from '../plans/plan-catalog.js';
import { allowsModel, completionLimitOf, type PlanLimits } from '../plans/plan-rules.js';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import type { AccountRow } from '../quota/accounts/accounts.service.js';
import { HoldsService, type TurnReservation } from '../quota/holds/holds.service.js';
import { purchaseUrl } from '../quota/purchase-url.js';
import { UsageReadsService } from '../quota/usage/usage-reads.service.js';
import { ChatRepository } from './chat.repository.js';
import type { EstimateView, ModelView, TokenWarningView, TurnView } from './chat.dto.js';
import { TurnSettlementService } from './turn-settlement.service.js';
import type { CommittedTurn, PreparedTurn, TurnInput } from './turn.js';
import type { ConversationRow } from './chat.repository.js';

/** Where a turn is charged, and its conversation when it continues one. */
interface Workspace {
  organizationId: string | null;
  conversation: ConversationRow | null;
}

export type { TurnInput } from './turn.js';

export type TurnEvent =
  | {
      type: 'start';
      conversationId: string;
      model: string;
      maxCompletionTokens: number;
      /** The account's usage level as the turn started (before its charge); null when metering is off. */
      usage?: { level: UsageEvaluation['level']; usagePercent: number } | null;
    }
  | { type: 'delta'; text: string }
  | { type: 'complete'; turn: TurnView };

const SYSTEM_PROMPT: Record<Locale, string> = {
  ko: '당신은 Consult-On의 친절하고 신중한 AI 상담사입니다. 한국어로 공감하며 구체적으로 답하세요.',
  en: 'You are Consult-On’s kind and careful AI consultant. Answer with empathy and concrete steps.',
};
const WARNED_LEVELS = new Set(['WARNING', 'CRITICAL', 'BLOCKED']);
/** Messages read back for the context; the token budget decides how many are sent. */
const CONTEXT_MESSAGES = 40;
/** Share of CHAT_CONTEXT_MAX_TOKENS from which the cost preview suggests a new conversation. */
const SUGGEST_NEW_CONVERSATION_AT = 0.5;
/** The reply length the cost preview assumes for a typical answer. */
const TYPICAL_COMPLETION_TOKENS = 300;

/**
 * One metered chat turn (SPEC section 3): check and reserve → call the model → settle with the
 * provider's usage and record the messages together (one statement, or one transaction under
 * the account lock, `TurnSettlementService`) → respond. A turn the provider breaks is never
 * charged; a client that leaves after output began pays for what was generated.
 */
/** Who runs a turn: a signed-in user (whose address may still await verification) or an API key's owner. */
export type TurnUser = Pick<AuthUser, 'id'> & { verificationPending?: boolean };

@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);

  constructor(
    private readonly repository: ChatRepository,
    private readonly holds: HoldsService,
    private readonly accounts: AccountsService,
    private readonly reads: UsageReadsService,
    private readonly catalog: ModelCatalog,
    @Inject(MODEL_PROVIDER) private readonly provider: ModelProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly counter: TokenCounter,
    private readonly settlement: TurnSettlementService,
    private readonly plans: PlanCatalog,
    private readonly archive: ArchiveService,
  ) {}

  /** Runs a turn, yielding its start, each piece of text and the finished turn. */
  async *turn(user: TurnUser, input: TurnInput, locale: Locale, signal: AbortSignal): AsyncGenerator<TurnEvent> {
    const metering = this.config.chat.meteringEnabled;
    // Metered, the account's read checks the membership (a pool is read only for its members).
    const workspace = await this.workspaceOf(user.id, input, !metering);
    // Read once: its plan decides the model, the completion limit and the caps; the reservation
    // starts from it. The turns started this last minute (the plan's rate) are read at the same time.
    const [account, startedLastMinute] = !metering
      ? [null, 0]
      : await Promise.all([
          workspace.organizationId ? this.accounts.currentForMember(workspace.organizationId, user.id) : this.accounts.current(user.id),
          this.plans.turnsStartedLastMinute(user.id, workspace.organizationId),
        ]);
    const prepared = await this.prepare(user.id, input, locale, { signal, account, workspace });
    const { model, promptTokens, plan, completionLimit, organizationId } = prepared;
    if (plan) this.plans.assertTurnRate(plan, startedLastMinute);
    const request = {
      tokens: chargedTokens(model, promptTokens, completionLimit),
      minimumTokens: chargedTokens(model, promptTokens, this.config.chat.minCompletionTokens),
      purpose: input.api ? 'api' : 'chat',
      maxInFlight: plan?.concurrentTurns,
      apiKey: input.api ? { id: input.api.keyId, limited: input.api.limited } : undefined,
    };
    // An address not verified yet: the turn holds no more than what is left of the small allowance.
    if (user.verificationPending && account) request.tokens = Math.min(request.tokens, this.unverifiedRoom(account, organizationId, request.minimumTokens));
    const reservation = !account
      ? null
      : organizationId
        ? await this.holds.reserveForMember(organizationId, user.id, request)
        : await this.holds.reserveWithAccount(user.id, { ...request, known: account });
    const hold = reservation?.hold ?? null;
    const maxCompletionTokens = hold ? Math.min(completionLimit, completionTokensWithin(model, hold.tokens, promptTokens)) : completionLimit;
    const started = account ? evaluateUsage(account, this.config.quota) : null;

    let settled = false;
    let text = '';
    let reported: { promptTokens: number; completionTokens: number } | null = null;
    try {
      yield { type: 'start', conversationId: prepared.conversationId, model: model.id, maxCompletionTokens, usage: started && { level: started.level, usagePercent: started.usagePercent } };
      try {
        for await (const event of this.provider.stream({
          providerModel: model.providerModel,
          messages: prepared.prompt,
          maxCompletionTokens,
          ...(input.api?.temperature !== undefined ? { temperature: input.api.temperature } : {}),
          ...(input.api?.stop ? { stop: input.api.stop } : {}),
          locale,
          signal,
        })) {
          if (event.type === 'delta') {
            text += event.text;
            yield event;
          } else {
            reported = event;
          }
        }
      } catch (error) {
        // A client that left is charged for the reply so far (nothing, if there is none); any
        // other failure voids the turn.
        if (!signal.aborted) throw error;
      }
      if (signal.aborted && text.length === 0) return;
      const committed = await this.settlement.commit(user.id, input, prepared, reservation, text, reported);
      settled = true;
      yield { type: 'complete', turn: await this.describe(organizationId ?? user.id, committed, locale) };
    } finally {
      if (!settled && reservation?.hold) await this.voidQuietly(reservation);
    }
  }

  /**
   * What a turn of an account whose address is not verified yet (mail configured) may hold: the
   * rest of UNVERIFIED_ALLOWANCE_TOKENS a period after what is used and in flight; refused when
   * that is less than the turn's least. Only on its own account: an organization's pool waits for
   * the verification. Read before the reservation, so turns started together may each take the
   * rest (as many as the plan lets run at once).
   */
  private unverifiedRoom(account: { periodConsumedTokens: number; heldTokens: number }, organizationId: string | null, minimumTokens: number): number {
    const room = this.config.mail.unverifiedAllowanceTokens - account.periodConsumedTokens - account.heldTokens;
    if (organizationId || room < minimumTokens) throw new EmailNotVerifiedError();
    return room;
  }

  /** The same turn, collected into one JSON answer. */
  async send(user: TurnUser, input: TurnInput, locale: Locale, signal: AbortSignal): Promise<TurnView | null> {
    for await (const event of this.turn(user, input, locale, signal)) {
      if (event.type === 'complete') return event.turn;
    }
    return null;
  }

  /** The cost of a message before it is sent; no model call, nothing held, one read of the account. */
  async estimate(userId: string, input: TurnInput, locale: Locale): Promise<EstimateView> {
    const workspace = await this.workspaceOf(userId, input);
    const { balances, usage } = await this.accounts.balances(workspace.organizationId ?? userId);
    const { model, promptTokens, contextTokens, contextTruncated, completionLimit } = await this.prepare(userId, input, locale, { account: balances, workspace });
    const typicalChargeTokens = chargedTokens(model, promptTokens, Math.min(completionLimit, TYPICAL_COMPLETION_TOKENS));
    const minimum = chargedTokens(model, promptTokens, this.config.chat.minCompletionTokens);
    // In an organization, the member's own limit may leave less than the pool does.
    const memberRoom = workspace.organizationId ? await this.accounts.memberRoom(workspace.organizationId, userId) : Number.POSITIVE_INFINITY;
    const remainingTokens = Math.min(usage.remainingTokens, memberRoom);
    return {
      model: model.id,
      promptTokens,
      maxCompletionTokens: completionLimit,
      maxChargeTokens: chargedTokens(model, promptTokens, completionLimit),
      typicalChargeTokens,
      remainingTokens,
      shareOfRemainingPercent: remainingTokens > 0 ? Math.round((typicalChargeTokens / remainingTokens) * 1_000) / 10 : null,
      allowed: usage.level !== 'BLOCKED' && usage.reservableTokens >= minimum && memberRoom >= minimum,
      ...this.contextOf(model, contextTokens, contextTruncated, typicalChargeTokens),
    };
  }

  /** What resending the conversation so far adds to a turn, and whether a new conversation would be cheaper. */
  private contextOf(model: ModelConfig, contextTokens: number, truncated: boolean, typicalChargeTokens: number) {
    const cap = this.config.chat.contextMaxTokens;
    const contextCharge = contextTokens * model.inputWeight;
    return {
      contextTokens,
      contextShare: typicalChargeTokens > 0 ? Math.min(100, Math.round((contextCharge / typicalChargeTokens) * 1_000) / 10) : 0,
      contextTruncated: truncated,
      contextMaxTokens: cap,
      suggestNewConversation: truncated || contextTokens >= cap * SUGGEST_NEW_CONVERSATION_AT,
    };
  }

  /**
   * `account`: the account as the caller already read it (null when metering is off), so the plan
   * and quota checks below need no query.
   */
  private async prepare(
    userId: string,
    input: TurnInput,
    locale: Locale,
    options: { signal?: AbortSignal; account: AccountRow | null; workspace: Workspace },
  ): Promise<PreparedTurn> {
    const plan = options.account ? await this.plans.limits(options.account.planId) : null;
    const model = this.catalog.find(input.model ?? this.defaultModelFor(plan));
    if (!model) {
      throw new ValidationFailedError([{ field: 'model', problems: [`unknown model; one of ${this.catalog.list().map((m) => m.id).join(', ')}`] }]);
    }
    if (plan && !allowsModel(plan, model.id)) throw new PlanModelNotAllowedError(plan.id, plan.models ?? []);
    const planLimit = plan ? completionLimitOf(plan, model.completionLimit) : model.completionLimit;
    const completionLimit = Math.min(planLimit, input.api?.maxCompletionTokens ?? planLimit);
    const apiHistory = input.api?.history ?? [];
    // Counting a long message costs real CPU: a user who could not start a turn is refused first.
    if (this.config.chat.meteringEnabled && options.account && (isLongText(input.message) || isLongText(apiHistory.map((message) => message.content).join('')))) {
      this.holds.assertReservable(options.account, chargedTokens(model, 0, this.config.chat.minCompletionTokens));
    }
    let history: { role: ChatMessage['role']; content: string; contentTokens: number }[] = [];
    let contextTruncated = false;
    const conversation = options.workspace.conversation;
    if (conversation) {
      // One more than can be sent, to know whether older messages were left out.
      ({ kept: history, truncated: contextTruncated } = this.withinCap(await this.repository.recentMessages(conversation.id, CONTEXT_MESSAGES + 1)));
    }
    const system = SYSTEM_PROMPT[locale];
    // An API client's context is its own (counted here, with the rest, in one request to the counter).
    const [systemTokens, userTokens, ...apiTokens] = await this.counter.count([system, input.message, ...apiHistory.map((message) => message.content)], { owner: userId, signal: options.signal });
    if (apiHistory.length > 0) history = apiHistory.map((message, index) => ({ ...message, contentTokens: apiTokens[index]! }));
    const prompt: ChatMessage[] = [
      { role: 'system', content: system },
      ...history.map(({ role, content }) => ({ role, content })),
      { role: 'user', content: input.message },
    ];
    const promptTokens = promptTokensOf([systemTokens!, ...history.map((m) => m.contentTokens), userTokens!]);
    const contextTokens = promptTokens - promptTokensOf([systemTokens!, userTokens!]);
    const organizationId = options.workspace.organizationId;
    return { model, plan, completionLimit, conversationId: input.conversationId ?? randomUUID(), organizationId, isNew: !input.conversationId, prompt, promptTokens, userTokens, contextTokens, contextTruncated };
  }

  /**
   * Where a turn is charged: the workspace its conversation started in, or for a new one the
   * organization it names (which the user must belong to: another organization does not exist
   * for them) or the user's own account. A turn naming another workspace than its conversation's
   * is refused: a conversation never changes who pays. `checkMembership` false: the caller's
   * next read (the pool's, for members only) checks it.
   */
  private async workspaceOf(userId: string, input: TurnInput, checkMembership = true): Promise<Workspace> {
    let organizationId = input.organizationId ?? null;
    let conversation: ConversationRow | null = null;
    if (input.conversationId) {
      conversation = await this.repository.findOwnConversation(userId, input.conversationId);
      if (!conversation) throw new NotFoundError();
      // An old conversation is claimed before the turn starts: the archive job cannot take it while the turn runs.
      if (conversation.archivedAt || !(await this.archive.claimForTurn(conversation))) throw new ConversationArchivedError();
      if (input.organizationId !== undefined && conversation.organizationId !== input.organizationId) {
        throw new ValidationFailedError([{ field: 'organizationId', problems: ['the conversation belongs to another workspace; omit organizationId to continue it'] }]);
      }
      organizationId = conversation.organizationId;
    }
    if (checkMembership && organizationId && !(await this.repository.isMember(organizationId, userId))) throw new NotFoundError();
    return { organizationId, conversation };
  }

  /** The model a turn that names none gets: the service's default, or the plan's first when the plan leaves the default out. */
  private defaultModelFor(plan: PlanLimits | null): string {
    const fallback = this.catalog.defaultModelId;
    return plan && !allowsModel(plan, fallback) ? (plan.models?.[0] ?? fallback) : fallback;
  }

  /** The models, each with whether the caller's plan includes it, its completion limit under the plan, and which one a turn naming none gets. */
  async models(userId: string): Promise<ModelView[]> {
    const account = this.config.chat.meteringEnabled ? await this.accounts.current(userId) : null;
    const plan = account ? await this.plans.limits(account.planId) : null;
    const fallback = this.defaultModelFor(plan);
    return this.catalog.list().map((model) => ({
      id: model.id,
      inputWeight: model.inputWeight,
      outputWeight: model.outputWeight,
      completionLimit: plan ? completionLimitOf(plan, model.completionLimit) : model.completionLimit,
      isDefault: model.id === fallback,
      allowed: !plan || allowsModel(plan, model.id),
    }));
  }

  /**
   * The newest messages whose tokens fit CHAT_CONTEXT_MAX_TOKENS (and CONTEXT_MESSAGES), oldest
   * first: the oldest turns are left out first, and a reply whose question was left out goes too,
   * so the context starts with a question. The system prompt and the new message are not counted.
   */
  private withinCap<T extends { role: string; contentTokens: number }>(newestFirst: T[]): { kept: T[]; truncated: boolean } {
    const kept: T[] = [];
    let budget = this.config.chat.contextMaxTokens;
    for (const message of newestFirst.slice(0, CONTEXT_MESSAGES)) {
      if (message.contentTokens > budget) break;
      budget -= message.contentTokens;
      kept.push(message);
    }
    const truncated = kept.length < newestFirst.length;
    if (truncated && kept.at(-1)?.role === 'assistant') kept.pop();
    return { kept: kept.reverse(), truncated };
  }

  /** The answer for a committed turn. Never throws: the turn is charged, so the client must get it. */
  private async describe(userId: string, turn: CommittedTurn, locale: Locale): Promise<TurnView> {
    let usage = turn.settlement?.usage ?? null;
    try {
      // The user's own average only matters for the warning's estimated turns: skip the query below WARNING.
      if (!usage) usage = (await this.accounts.usage(userId)).usage;
      else if (WARNED_LEVELS.has(usage.level)) usage = await this.reads.evaluateForUser(userId, turn.settlement!.balances);
    } catch (error) {
      this.logger.warn({ message: 'usage unavailable after a committed turn', error: String(error) });
    }
    return {
      conversationId: turn.conversationId,
      messageId: turn.assistantId,
      model: turn.model,
      content: turn.text,
      usage: turn.usage,
      warning: usage ? this.warningFor(usage, locale) : null,
      level: usage?.level ?? 'NORMAL',
      usagePercent: usage?.usagePercent ?? 0,
      remainingTokens: usage?.remainingTokens ?? 0,
    };
  }

  warningFor(usage: UsageEvaluation, locale: Locale): TokenWarningView | null {
    if (!WARNED_LEVELS.has(usage.level)) return null;
    return {
      level: usage.level,
      message: usageMessage(usage, locale),
      remainingTokens: usage.remainingTokens,
      estimatedTurns: usage.estimatedTurns,
      usagePercent: usage.usagePercent,
      purchaseUrl: purchaseUrl(this.config),
    };
  }

  private async voidQuietly({ hold, poolId }: TurnReservation): Promise<void> {
    try {
      await this.holds.voidHold(hold.holdId, poolId ?? null);
    } catch (error) {
      // The sweeper expires the hold after its TTL if this fails (the database is down, say).
      this.logger.error({ message: 'could not void a hold; it will expire', holdId: hold.holdId, error: String(error) });
    }
  }
}
