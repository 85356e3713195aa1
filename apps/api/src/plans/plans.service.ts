import { Inject, Injectable, Logger } from '@nestjs/common';
import { periodOf, planCredit, type Locale, type QuotaPeriod } from '@consult-on/quota-policy';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { FREE_PLAN_ID } from '../config/plans-config.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { FreePlanRequiredError, NotFoundError, PlanAlreadyPaidError, PlanExistsError, PlanNeedsPaymentError, PlanNotOfferedError, ValidationFailedError } from '../common/errors.js';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import type { AccountRow } from '../quota/accounts/accounts.service.js';
import type { Transaction } from '../database/database.js';
import { LedgerWriter } from '../quota/ledger/ledger-writer.js';
import { limitsOf, PlanCatalog } from './plan-catalog.js';
import { decidePlanChange, endsUnpaidAtReset, laterPeriod, paidFor, previousPeriodKey } from './plan-rules.js';
import type { AdminPlanView, CreatePlanDto, CurrentPlanView, PlanChangeView, PlansPageView, PlanView, UpdatePlanDto } from './plans.dto.js';
import { PlansRepository, type PlanRow } from './plans.repository.js';

/** Who changes an account's plan: the user (free plans only), an admin (a contract), or a plan's payment for a period. */
type ChangeSource =
  | { by: 'user' }
  | { by: 'admin'; adminId: string; holder: 'user' | 'organization' }
  /** `renewal`: it keeps the plan the account is on, or gives back the month it paid to an account the reset dropped to free; it never switches from another plan (the account moved on while it was being charged). */
  | { by: 'payment'; periodKey: string; renewal: boolean };

/**
 * Subscribing accounts to plans, and the plans themselves. A change goes through the ledger
 * under the account's lock: an upgrade at once (this period's allowance becomes the new plan's,
 * the difference credited as a PLAN_CHANGE entry, usage so far kept), a downgrade at the next
 * reset (LedgerWriter starts the chosen plan with the reset's grant).
 */
@Injectable()
export class PlansService {
  private readonly logger = new Logger(PlansService.name);

  constructor(
    private readonly repository: PlansRepository,
    private readonly catalog: PlanCatalog,
    private readonly writer: LedgerWriter,
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The plans a user may choose, their own (even if retired), and where they stand. */
  async page(userId: string, locale: Locale): Promise<PlansPageView> {
    const account = await this.accounts.current(userId);
    const rows = await this.repository.all();
    const shown = rows.filter((row) => (row.forSale && !row.retiredAt) || row.id === account.planId || row.id === account.nextPlanId);
    return { plans: shown.map((row) => this.view(row, locale)), current: this.currentOf(account) };
  }

  /**
   * The user's own choice. Only a plan without a price is switched to here (the free plan: back
   * to it at the next reset); a paid plan starts when its payment does — keeping one past a move
   * already set for the reset included.
   */
  async choose(userId: string, planId: string): Promise<PlanChangeView> {
    const target = await this.offered(planId);
    return this.change(userId, target.id, { by: 'user' });
  }

  /**
   * A paid plan bought by its user: whether it may be bought now. Refused when it is not on sale,
   * has no price, or already runs paid through this period (a second payment would buy nothing).
   */
  async assertPurchasable(userId: string, planId: string): Promise<PlanRow> {
    const target = await this.offered(planId);
    if (target.priceKrw <= 0) throw new PlanNotOfferedError();
    const account = await this.accounts.current(userId);
    if (paidFor(account, target.id, this.writer.currentPeriod(this.clock.now()).key)) throw new PlanAlreadyPaidError();
    return target;
  }

  /**
   * A plan's payment for a period (its first month, or a renewal), in the payment's transaction:
   * the account is on the plan through `periodKey`. Not on it yet, it switches at once — an
   * upgrade tops this period's allowance up (the difference in the ledger, as for any upgrade), a
   * smaller plan keeps what this period already got. A move chosen for the reset is dropped.
   */
  applyPayment(tx: Transaction, userId: string, planId: string, periodKey: string, renewal: boolean): Promise<PlanChangeView> {
    return this.change(userId, planId, { by: 'payment', periodKey, renewal }, tx);
  }

  /**
   * A plan's payment refunded: the period it paid for is no longer paid (the plan's paid-through
   * period steps back before it), so the plan ends at the first reset it is not paid for. Nothing
   * else changes now: this period's allowance was granted and may be in use.
   */
  async revokePayment(tx: Transaction, userId: string, planId: string, periodKey: string): Promise<void> {
    await this.writer.change<void>(
      { userId },
      null,
      async ({ account }) => {
        if (account.planId !== planId || account.planPaidThrough === null || account.planPaidThrough < periodKey) return { entries: [], result: undefined };
        return { entries: [], plan: { planId: account.planId, nextPlanId: account.nextPlanId, planPaidThrough: previousPeriodKey(periodKey) }, result: undefined };
      },
      tx,
    );
  }

  /**
   * An admin puts an account on a plan (a contract agreed elsewhere): upgrades apply now,
   * downgrades at the reset. `holder` says whose account the id must be: a user's, or an
   * organization's pool (404 otherwise).
   */
  async assign(adminId: string, accountId: string, planId: string, holder: 'user' | 'organization'): Promise<PlanChangeView> {
    const target = await this.repository.find(this.repository.db, planId);
    if (!target) throw new NotFoundError();
    return this.change(accountId, target.id, { by: 'admin', adminId, holder });
  }

  private async offered(planId: string): Promise<PlanRow> {
    const target = await this.repository.find(this.repository.db, planId);
    if (!target) throw new NotFoundError();
    if (!target.forSale || target.retiredAt) throw new PlanNotOfferedError();
    return target;
  }

  private async change(userId: string, planId: string, source: ChangeSource, outerTx: Transaction | null = null): Promise<PlanChangeView> {
    const holder = source.by === 'admin' ? source.holder : 'user';
    const actorId = source.by === 'admin' ? source.adminId : null;
    return this.writer.change<PlanChangeView>(
      { userId },
      null,
      async ({ account, balances, tx, period }) => {
        if ((account.organizationId !== null) !== (holder === 'organization')) throw new NotFoundError();
        // Both plans as this transaction sees them: the tokens credited follow from their allowances.
        const current = await this.catalog.limitsIn(tx!, account.planId);
        const target = await this.catalog.limitsIn(tx!, planId);
        const decision = decidePlanChange(current, target, await this.writer.allowanceGranted(tx!, account));
        // The user's own choice never starts or keeps a paid plan: that is its payment's to do —
        // unless the plan is paid for (then staying on it, a move chosen for the reset dropped, is the subscription's renewal to keep).
        const keepsUnchanged = decision.kind === 'same' && (account.nextPlanId === null || account.planPaidThrough !== null);
        if (source.by === 'user' && target.priceKrw > 0 && !keepsUnchanged) throw new PlanNeedsPaymentError();
        // A renewal paid once its period had begun (a provider's retry that succeeded after the reset, a
        // charge whose answer came late) finds the account dropped to free: the month it paid for is
        // given, from now, as a first month would be. (Never over another plan, an admin's free contract included.)
        const paidLate = source.by === 'payment' && source.renewal && account.planId === FREE_PLAN_ID && account.nextPlanId === null && source.periodKey === period.key;
        if (source.by === 'payment' && source.renewal && account.planId !== target.id && !paidLate) {
          // Charged for a plan the account has left meanwhile (another plan): recorded with its order, never a switch back.
          this.logger.warn(`renewal paid for ${target.id} while ${userId} is on ${account.planId}: not applied; refund its order`);
          return { entries: [], result: { change: 'same', addedTokens: 0, current: this.currentOf(account, period) } };
        }
        // Whose plan it is from now: paid through a period, or (an admin's contract, free) not depending on payments.
        const paidThrough = source.by === 'payment' ? laterPeriod(account.planId === target.id ? account.planPaidThrough : null, source.periodKey) : null;
        if (decision.kind === 'same') {
          const kept = source.by === 'user' ? account.planPaidThrough : paidThrough;
          // A payment keeps a move the user chose meanwhile (it waits for the paid period to end); any other choice of the same plan drops it.
          const nextPlanId = source.by === 'payment' ? account.nextPlanId : null;
          const next = { ...account, nextPlanId, planPaidThrough: kept };
          return { entries: [], plan: { planId: account.planId, nextPlanId, planPaidThrough: kept }, result: { change: 'same', addedTokens: 0, current: this.currentOf(next, period) } };
        }
        if (decision.kind === 'downgrade' && source.by !== 'payment') {
          const next = { ...account, nextPlanId: target.id };
          return { entries: [], plan: { planId: account.planId, nextPlanId: target.id }, result: { change: 'downgrade', addedTokens: 0, current: this.currentOf(next, period) } };
        }
        // An upgrade, or a paid switch to a smaller plan (the period keeps what it already got).
        const added = decision.kind === 'upgrade' ? decision.allowanceDelta : 0;
        const metadata = { fromPlanId: current.id, toPlanId: target.id, ...(source.by === 'payment' ? { paidThrough } : {}) };
        const next = { ...account, planId: target.id, nextPlanId: null, planPaidThrough: paidThrough };
        return {
          // The allowances' difference, like any credit: overage already used is settled first.
          entries: added > 0 ? [{ kind: 'PLAN_CHANGE' as const, amountTokens: added, delta: planCredit(balances, added, 'free'), actorId, metadata }] : [],
          plan: { planId: target.id, nextPlanId: null, planPaidThrough: paidThrough },
          activity: actorId === null,
          result: { change: 'upgrade', addedTokens: added, current: this.currentOf(next, period) },
        };
      },
      outerTx,
    );
  }

  private currentOf(account: Pick<AccountRow, 'planId' | 'nextPlanId' | 'planPaidThrough'>, period: QuotaPeriod = this.writer.currentPeriod(this.clock.now())): CurrentPlanView {
    const nextPeriod = periodOf(period.end, this.config.quota.timeZone);
    return {
      planId: account.planId,
      nextPlanId: account.nextPlanId,
      periodEndsAt: period.end.toISOString(),
      paidThrough: account.planPaidThrough,
      endsUnpaidAtReset: endsUnpaidAtReset(account, nextPeriod.key),
    };
  }

  view(row: PlanRow, locale: Locale): PlanView {
    const limits = limitsOf(row);
    return {
      id: row.id,
      name: locale === 'ko' ? row.nameKo : row.nameEn,
      monthlyTokens: limits.monthlyTokens,
      models: row.models ?? null,
      completionLimit: limits.completionLimit,
      turnsPerMinute: limits.turnsPerMinute,
      concurrentTurns: limits.concurrentTurns,
      priceKrw: limits.priceKrw,
      forSale: row.forSale,
      retiredAt: row.retiredAt?.toISOString() ?? null,
    };
  }

  async adminList(locale: Locale): Promise<AdminPlanView[]> {
    const [rows, counts] = await Promise.all([this.repository.all(), this.repository.subscribers()]);
    const byPlan = new Map(counts.map((count) => [count.planId, count]));
    return rows.map((row) => ({ ...this.view(row, locale), accounts: byPlan.get(row.id)?.accounts ?? 0, joining: byPlan.get(row.id)?.joining ?? 0, managedBy: row.managedBy }));
  }

  async create(body: CreatePlanDto, locale: Locale): Promise<PlanView> {
    this.assertModels(body.models ?? null);
    const row = await this.repository.insert(this.repository.db, body.id, { ...body, models: body.models ?? null }, this.clock.now());
    if (!row) throw new PlanExistsError();
    await this.catalog.reload();
    return this.view(row, locale);
  }

  async update(id: string, body: UpdatePlanDto, locale: Locale): Promise<PlanView> {
    if (body.models !== undefined) this.assertModels(body.models);
    if (id === FREE_PLAN_ID && ((body.priceKrw ?? 0) > 0 || body.forSale === false)) throw new FreePlanRequiredError();
    const row = await this.repository.update(this.repository.db, id, body, this.clock.now());
    if (!row) throw new NotFoundError();
    await this.catalog.reload();
    return this.view(row, locale);
  }

  /** Not offered any more; its subscribers keep it until they move. */
  async retire(id: string, locale: Locale): Promise<PlanView> {
    if (id === FREE_PLAN_ID) throw new FreePlanRequiredError();
    const row = await this.repository.update(this.repository.db, id, { forSale: false, retiredAt: this.clock.now() }, this.clock.now());
    if (!row) throw new NotFoundError();
    await this.catalog.reload();
    return this.view(row, locale);
  }

  private assertModels(models: string[] | null): void {
    const offered = this.config.chat.models.map((model) => model.id);
    const unknown = (models ?? []).filter((model) => !offered.includes(model));
    if (unknown.length > 0) throw new ValidationFailedError([{ field: 'models', problems: [`not offered: ${unknown.join(', ')}; one of ${offered.join(', ')}`] }]);
  }
}
