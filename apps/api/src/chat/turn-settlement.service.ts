import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConsumptionSplit } from '@consult-on/quota-policy';
import { CLOCK, type Clock } from '../common/clock.js';
import { toStorableText } from '../common/input-guard.js';
import { chargedTokens } from '../llm/model-catalog.js';
import { TokenCounter } from '../llm/token-counter.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { HoldsService, type SettlementView, type TurnReservation } from '../quota/holds/holds.service.js';
import { ChatRepository, type TurnRecord } from './chat.repository.js';
import { titleFromQuestion } from './conversation-title.js';
import type { CommittedTurn, PreparedTurn, TurnCharge, TurnInput } from './turn.js';

const NOTHING_CHARGED: ConsumptionSplit = { purchasedTokens: 0, freeTokens: 0, overageTokens: 0 };

/**
 * The end of a chat turn that produced a reply: what it is charged, and the settlement of its
 * hold written together with its conversation and messages.
 */
@Injectable()
export class TurnSettlementService {
  private readonly logger = new Logger(TurnSettlementService.name);

  constructor(
    private readonly repository: ChatRepository,
    private readonly holds: HoldsService,
    private readonly counter: TokenCounter,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Commits a turn whose model call produced a reply. A reply that reached the user is charged
   * whatever fails afterwards: when the messages cannot be written with the settlement, the hold
   * is settled alone and the messages are written on their own if they can be; a turn left
   * unrecorded is logged with its hold id and counted in /metrics. Only when the settlement
   * itself fails does the error stand (the hold is then voided, or expires).
   */
  async commit(
    userId: string,
    input: TurnInput,
    prepared: PreparedTurn,
    reservation: TurnReservation | null,
    text: string,
    reported: { promptTokens: number; completionTokens: number } | null,
  ): Promise<CommittedTurn> {
    const reply = toStorableText(text);
    let charge = await this.chargeOf(prepared, reservation, reply, reported);
    if (input.api?.endUser !== undefined) charge = { ...charge, metadata: { ...charge.metadata, endUser: input.api.endUser } };
    try {
      return await this.write(userId, input, prepared, reservation, charge);
    } catch (error) {
      if (!reservation) throw error;
      let settlement: SettlementView;
      try {
        settlement = await this.holds.settle(reservation.hold.holdId, charge.charged, { ...charge.metadata, recordedApart: true });
      } catch {
        throw error;
      }
      charge = { ...charge, charged: settlement.chargedTokens };
      if (!recorded(input)) return this.committed(prepared, charge, settlement, null);
      const context = { holdId: reservation.hold.holdId, userId, conversationId: prepared.conversationId, error: String(error) };
      try {
        const { id } = await this.repository.recordTurn(this.repository.db, this.turnRecord(userId, input, prepared, charge, settlement.split, settlement.ledgerEntryId));
        this.logger.warn({ message: 'turn recorded apart from its settlement', ...context });
        return this.committed(prepared, charge, settlement, id);
      } catch (recordError) {
        this.metrics.turnsUnrecorded.inc();
        this.logger.error({ message: 'turn charged but its messages could not be recorded', ...context, recordError: String(recordError) });
        return this.committed(prepared, charge, settlement, null);
      }
    }
  }

  /** What a turn is charged: the provider's usage (or our count of the reply) × the model's weights, capped at the hold. */
  private async chargeOf(
    prepared: PreparedTurn,
    reservation: TurnReservation | null,
    reply: string,
    reported: { promptTokens: number; completionTokens: number } | null,
  ): Promise<TurnCharge> {
    const { model } = prepared;
    const hold = reservation?.hold ?? null;
    const estimated = reported === null;
    const promptTokens = reported?.promptTokens ?? prepared.promptTokens;
    const replyTokens = reported?.completionTokens ?? (await this.countReply(reply));
    const completionTokens = replyTokens;
    const reportedCharge = chargedTokens(model, promptTokens, completionTokens);
    // The hold was sized so the turn cannot end past 105 %; a provider whose tokenizer counts
    // more than ours does not push the user past it — the difference is recorded, not charged.
    const charged = hold ? Math.min(reportedCharge, hold.tokens) : reportedCharge;
    if (estimated) this.logger.warn({ message: 'no usage reported for a turn: charged by tokenizer count', model: model.id, charge: charged });
    if (charged < reportedCharge) this.logger.warn({ message: 'usage above the hold: charge capped', model: model.id, reportedCharge, charge: charged });
    const metadata = { model: model.id, conversationId: prepared.conversationId, promptTokens, completionTokens, estimated, ...(charged < reportedCharge ? { reportedChargeTokens: reportedCharge } : {}) };
    return { reply, replyTokens, promptTokens, completionTokens, charged, estimated, metadata };
  }

  /**
   * Our count of a reply the provider reported no usage for. It is what the turn is charged, so it
   * is never refused for a busy queue; if counting fails all the same, the reply's UTF-8 bytes
   * (a token is at least one byte) stand in as an upper bound, and the hold caps the charge.
   */
  private async countReply(reply: string): Promise<number> {
    try {
      return await this.counter.countOne(reply, { charging: true });
    } catch (error) {
      this.logger.error({ message: 'could not count a reply: charged by its bytes', error: String(error) });
      return Buffer.byteLength(reply, 'utf8');
    }
  }

  /**
   * Settles the hold and records both messages together, so that both happen or neither does.
   * Usually one statement (the settlement's compare-and-swap with the messages attached);
   * a transaction that locks the account when something else changed it since the reservation.
   */
  private async write(userId: string, input: TurnInput, prepared: PreparedTurn, reservation: TurnReservation | null, charge: TurnCharge): Promise<CommittedTurn> {
    if (!recorded(input)) return this.settleUnrecorded(prepared, reservation, charge);
    if (!reservation) {
      return this.committed(prepared, charge, null, (await this.repository.recordTurn(this.repository.db, this.turnRecord(userId, input, prepared, charge, NOTHING_CHARGED, null))).id);
    }
    // The usual turn: the settlement is planned from the account the reservation left, the
    // messages are recorded with its split, and both are written by one statement.
    const planned = this.holds.planSettlement(reservation, charge.charged, charge.metadata);
    if (planned) {
      const record = this.turnRecord(userId, input, prepared, charge, planned.split, null);
      const written = await this.holds.settlePlanned(planned, this.repository.turnWrite(record));
      if (written) return this.committed(prepared, charge, written.settlement, this.repository.recordedTurn(record, written.attached!).id);
    }
    // Under the account's lock (a turn in an organization's pool always comes here): the split is
    // known once the account is locked, and the messages go with the settlement's statement.
    let record: TurnRecord | null = null;
    const { settlement, attached } = await this.holds.settleWith(reservation.hold.holdId, charge.charged, charge.metadata, (split, charged) => {
      // A turn that outlived its hold may be charged less (up to 105 %): the receipt says what was.
      record = this.turnRecord(userId, input, prepared, { ...charge, charged }, split, null);
      return this.repository.turnWrite(record);
    }, reservation.poolId ?? null);
    return this.committed(prepared, { ...charge, charged: settlement.chargedTokens }, settlement, this.repository.recordedTurn(record!, attached!).id);
  }

  /** A turn through `/v1` whose key keeps no conversations: the settlement alone (its ledger entries name the key). */
  private async settleUnrecorded(prepared: PreparedTurn, reservation: TurnReservation | null, charge: TurnCharge): Promise<CommittedTurn> {
    if (!reservation) return this.committed(prepared, charge, null, null);
    // No conversation to name: the entry's metadata says what the turn was.
    const { conversationId: _none, ...metadata } = charge.metadata;
    const planned = this.holds.planSettlement(reservation, charge.charged, metadata);
    const written = planned ? await this.holds.settlePlanned(planned) : null;
    const settlement = written?.settlement ?? (await this.holds.settle(reservation.hold.holdId, charge.charged, metadata, null, reservation.poolId ?? null));
    return this.committed(prepared, { ...charge, charged: settlement.chargedTokens }, settlement, null);
  }

  private turnRecord(userId: string, input: TurnInput, prepared: PreparedTurn, charge: TurnCharge, split: ConsumptionSplit, ledgerEntryId: number | null): TurnRecord {
    const { conversationId, model } = prepared;
    return {
      conversationId,
      userId,
      organizationId: prepared.organizationId,
      title: titleFromQuestion(input.message),
      model: model.id,
      chargedTokens: charge.charged,
      now: this.clock.now(),
      userMessage: { conversationId, role: 'user', content: input.message, contentTokens: prepared.userTokens },
      assistantMessage: {
        conversationId,
        role: 'assistant',
        content: charge.reply,
        contentTokens: charge.replyTokens,
        model: model.id,
        promptTokens: charge.promptTokens,
        completionTokens: charge.completionTokens,
        chargedTokens: charge.charged,
        ...split,
        ledgerEntryId,
        usageEstimated: charge.estimated,
      },
    };
  }

  private committed(prepared: PreparedTurn, charge: TurnCharge, settlement: SettlementView | null, assistantId: number | null): CommittedTurn {
    const { promptTokens, completionTokens, charged, estimated } = charge;
    const split = settlement?.split ?? NOTHING_CHARGED;
    return {
      conversationId: prepared.conversationId,
      model: prepared.model.id,
      text: charge.reply,
      settlement,
      assistantId,
      usage: { promptTokens, completionTokens, chargedTokens: charged, ...split, estimated },
    };
  }
}

/** Whether a turn is kept as a conversation: every web turn, an API turn when its key says so. */
function recorded(input: TurnInput): boolean {
  return !input.api || input.api.record;
}
