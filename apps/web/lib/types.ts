export type Level = 'NORMAL' | 'NOTICE' | 'WARNING' | 'CRITICAL' | 'BLOCKED';

export interface User {
  id: string;
  email: string;
  role: 'USER' | 'ADMIN';
  locale: 'ko' | 'en';
  createdAt: string;
}

export interface Session {
  accessToken: string;
  user: User;
}

export interface Forecast {
  burnRatePerDay: number;
  dailySpread: number;
  reach100At: string | null;
  reach105At: string | null;
  reach100Range: { earliest: string | null; latest: string | null };
  resetComesFirst: boolean;
  sampleDays: number;
}

export interface Usage {
  level: Level;
  usagePercent: number;
  usedTokens: number;
  remainingTokens: number;
  totalAvailable: number;
  freeTokens: number;
  purchasedTokens: number;
  overageTokens: number;
  heldTokens: number;
  graceInUse: boolean;
  chatAllowed: boolean;
  showPurchaseButton: boolean;
  estimatedTurns: number;
  averageTokensPerTurn: number;
  period: string;
  periodStart: string;
  nextResetAt: string;
  timeZone: string;
  thresholds: { notice: number; warning: number; critical: number; block: number };
  message: string | null;
  purchaseUrl: string;
  forecast: Forecast;
}

export interface LedgerEntry {
  id: number;
  kind: string;
  period: string;
  amountTokens: number;
  freeDelta: number;
  purchasedDelta: number;
  overageDelta: number;
  heldDelta: number;
  holdId: string | null;
  paymentId: string | null;
  actorId: string | null;
  reason: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
}

export interface LedgerPage {
  items: LedgerEntry[];
  nextCursor: number | null;
}

export interface TokenPackage {
  id: string;
  name: string;
  tokens: number;
  priceKrw: number;
  krwPer1kTokens: number;
}

export interface PurchaseResult {
  paymentId: string;
  packageId: string;
  tokens: number;
  amountKrw: number;
  status: 'PENDING' | 'PAID';
  createdAt: string;
  usage: Usage;
}

export interface TurnUsage {
  promptTokens: number;
  completionTokens: number;
  chargedTokens: number;
  purchasedTokens: number;
  freeTokens: number;
  overageTokens: number;
  estimated: boolean;
}

export interface TokenWarning {
  level: 'WARNING' | 'CRITICAL' | 'BLOCKED';
  message: string;
  remainingTokens: number;
  estimatedTurns: number;
  usagePercent: number;
  purchaseUrl: string;
}

export interface Estimate {
  model: string;
  promptTokens: number;
  maxCompletionTokens: number;
  maxChargeTokens: number;
  typicalChargeTokens: number;
  remainingTokens: number;
  shareOfRemainingPercent: number | null;
  allowed: boolean;
}

export interface ConversationSummary {
  id: string;
  title: string;
  model: string;
  turnCount: number;
  chargedTokens: number;
  createdAt: string;
  updatedAt: string;
}

export interface Message {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
  usage: TurnUsage | null;
}

export interface Conversation extends ConversationSummary {
  messages: Message[];
}

export interface Notification {
  id: string;
  kind: string;
  level: 'WARNING' | 'CRITICAL' | 'BLOCKED' | 'NORMAL';
  title: string;
  message: string;
  usagePercent: number;
  remainingTokens: number;
  link: string;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}

export interface NotificationPage {
  items: Notification[];
  total: number;
  unreadCount: number;
}

export interface TopUser {
  userId: string;
  email: string;
  usedTokens: number;
  usagePercent: number;
  purchasedTokens: number;
  level: Level;
  lastActiveAt: string | null;
}

export interface TokenStats {
  period: string;
  overview: { totalUsers: number; activeUsers: number; totalUsedTokens: number; totalPurchasedTokens: number; averageUsedTokens: number };
  distribution: { under50: number; under80: number; under90: number; under95: number; over95: number };
  topUsers: TopUser[];
  generatedAt: string;
  cached: boolean;
}

export interface UserPage {
  items: TopUser[];
  total: number;
  page: number;
  pageSize: number;
}

export interface UserDetail {
  userId: string;
  email: string;
  role: string;
  createdAt: string;
  lastActiveAt: string | null;
  usage: Usage;
  ledger: LedgerEntry[];
  ledgerNextCursor: number | null;
  adjustments: LedgerEntry[];
  dailyUsage: { day: string; tokens: number }[];
  conversations: number;
  notificationsSent: number;
}

export interface LedgerVerify {
  ok: boolean;
  accountsChecked: number;
  accounts: { userId: string; problems: string[] }[];
  expiredOpenHolds: number;
  checkedAt: string;
}
