import type { Key } from './i18n';

/** Each page's name in the title bar, by its path's first segment (and second, for the sub-pages). */
const pageKeys: Record<string, Key> = {
  dashboard: 'navDashboard',
  chat: 'navChat',
  purchase: 'purchaseTitle',
  'purchase/result': 'resultTitle',
  purchases: 'purchasesTitle',
  'purchases/receipt': 'receiptTitle',
  history: 'historyTitle',
  notifications: 'notifications',
  admin: 'adminTitle',
  'admin/user': 'userDetail',
  'admin/plans': 'adminPlansTitle',
  'admin/reports': 'cohortTitle',
  reports: 'reportsTitle',
  organizations: 'orgsTitle',
  'organizations/detail': 'orgDetailTitle',
  'organizations/join': 'orgJoinTitle',
  'organizations/member-report': 'memberReportTitle',
  'api-keys': 'keysTitle',
  settings: 'settingsTitle',
  login: 'loginTitle',
  register: 'registerTitle',
  'forgot-password': 'forgotTitle',
  'reset-password': 'resetTitle',
  'verify-email': 'verifyTitle',
};

/**
 * The document title in the page's language: "대시보드 — Consult-On", "Dashboard — Consult-On";
 * only the product name for a path without a page of its own (the 404).
 */
export function pageTitle(pathname: string | null | undefined, t: (key: Key) => string): string {
  const parts = (pathname ?? '').split('/').filter(Boolean);
  const key = pageKeys[parts.slice(0, 2).join('/')] ?? pageKeys[parts[0] ?? ''];
  const app = t('appName');
  return key ? `${t(key)} — ${app}` : app;
}
