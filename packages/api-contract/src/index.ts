/**
 * The API's wire types: the schemas of its OpenAPI document (generated into ./openapi.ts by
 * `npm run contract:generate`) under their DTO names, the quota policy's own types where the
 * document describes them, and the Server-Sent Events the document cannot describe.
 */
import type { ExhaustionForecast, Locale, UsageLevel } from '@consult-on/quota-policy';
import type { components } from './openapi';

export type { components, operations, paths } from './openapi';
export type { ChatStreamEvent, ChatTurnUsage, ErrorBody, NotificationStreamEvent, UsageChange } from './streams';
export { parseChatEvent, parseNotificationEvent } from './streams';

type Schemas = components['schemas'];

/** A usage level, from the policy that decides it. */
export type Level = UsageLevel;
/** When an account is expected to run out, from the policy that projects it. */
export type Forecast = ExhaustionForecast;
export type { Locale };

// Accounts
export type UserView = Schemas['UserView'];
export type SessionView = Schemas['SessionView'];
export type RegisterDto = Schemas['RegisterDto'];
export type LoginDto = Schemas['LoginDto'];

// Usage, history and purchases
export type UsageView = Schemas['UsageView'];
export type UsageThresholdsView = Schemas['UsageThresholdsView'];
export type LedgerEntryView = Schemas['LedgerEntryView'];
export type LedgerPageView = Schemas['LedgerPageView'];
export type TokenPackageView = Schemas['TokenPackageView'];
export type PurchaseDto = Schemas['PurchaseDto'];
export type CheckoutResultView = Schemas['CheckoutResultView'];
export type CheckoutView = Schemas['CheckoutView'];
export type OrderView = Schemas['OrderView'];
export type OrderResultView = Schemas['OrderResultView'];
export type ConfirmOrderDto = Schemas['ConfirmOrderDto'];
export type ReceiptView = Schemas['ReceiptView'];
export type RefundView = Schemas['RefundView'];
export type RefundDto = Schemas['RefundDto'];
export type RefundResultView = Schemas['RefundResultView'];
export type SubscriptionView = Schemas['SubscriptionView'];
export type SubscribeDto = Schemas['SubscribeDto'];

// Chat
export type SendMessageDto = Schemas['SendMessageDto'];
export type EstimateDto = Schemas['EstimateDto'];
export type EstimateView = Schemas['EstimateView'];
export type TurnView = Schemas['TurnView'];
export type TurnUsageView = Schemas['TurnUsageView'];
export type TokenWarningView = Schemas['TokenWarningView'];
export type ModelView = Schemas['ModelView'];
export type ConversationSummaryView = Schemas['ConversationSummaryView'];
export type ConversationPageView = Schemas['ConversationPageView'];
export type MessageView = Schemas['MessageView'];
export type ConversationView = Schemas['ConversationView'];
export type RenameConversationDto = Schemas['RenameConversationDto'];

// Notifications
export type NotificationView = Schemas['NotificationView'];
export type NotificationPageView = Schemas['NotificationPageView'];
export type ReadAllView = Schemas['ReadAllView'];

// Administration
export type AdjustmentDto = Schemas['AdjustmentDto'];
export type TokenStatsView = Schemas['TokenStatsView'];
export type TopUserView = Schemas['TopUserView'];
export type UserPageView = Schemas['UserPageView'];
export type UserDetailView = Schemas['UserDetailView'];
export type DailyUsageView = Schemas['DailyUsageView'];
export type CacheClearedView = Schemas['CacheClearedView'];
export type LedgerVerifyView = Schemas['LedgerVerifyView'];

// Usage-pattern reports
export type UsageReportView = Schemas['UsageReportView'];
export type MonthlyUsageView = Schemas['MonthlyUsageView'];
export type CohortReportView = Schemas['CohortReportView'];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;

/**
 * Compiles only while the policy's types and the document's schemas agree (the web build
 * type-checks it): the same rule must not be written two ways that drift apart.
 */
export type PolicyMatchesDocument = [
  Holds<Same<Level, UsageView['level']>>,
  Holds<Same<Level, TurnView['level']>>,
  Holds<Same<Level, TopUserView['level']>>,
  Holds<Same<Forecast, UsageView['forecast']>>,
  Holds<Same<Locale, UserView['locale']>>,
];
