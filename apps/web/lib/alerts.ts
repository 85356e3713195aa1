'use client';

import { useSyncExternalStore } from 'react';
import type { Level } from '@consult-on/api-contract';

/**
 * One alert, not five: the page's usage banner says the level once, and everything else
 * (the usage card, toasts, the chat's inline notices) defers to it.
 */

// The usage banners on the page now, by the level of the usage they were given (a count per
// level: mounts and unmounts nest). A banner below WARNING shows nothing but still counts as the
// page's place for the alert: when the level rises, it is the banner that will say so.
const banners = new Map<Level, number>();
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((listener) => listener());

const shownLevels: readonly Level[] = ['WARNING', 'CRITICAL', 'BLOCKED'];

/** Called by UsageBanner while it is on the page with this usage level; returns the function that takes it back. */
export function registerBanner(level: Level): () => void {
  banners.set(level, (banners.get(level) ?? 0) + 1);
  emit();
  return () => {
    const n = (banners.get(level) ?? 1) - 1;
    if (n > 0) banners.set(level, n);
    else banners.delete(level);
    emit();
  };
}

/** Whether a usage banner shows this level on the page. */
export function bannerShown(level: Level): boolean {
  return shownLevels.includes(level) && (banners.get(level) ?? 0) > 0;
}

/** Whether a usage banner shows any level (WARNING and above) on the page. */
export function anyBannerShown(): boolean {
  return shownLevels.some(bannerShown);
}

/** Whether a usage banner shows any level on the page, kept current. */
export function useAnyBannerShown(): boolean {
  return useSyncExternalStore(subscribe, anyBannerShown, () => false);
}

/** Whether the page has a usage banner (showing something or waiting for the level to rise). */
export function pageHasBanner(): boolean {
  for (const n of banners.values()) if (n > 0) return true;
  return false;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether a usage banner for this level is on the page, kept current. */
export function useBannerShown(level: Level): boolean {
  return useSyncExternalStore(
    subscribe,
    () => bannerShown(level),
    () => false,
  );
}

/**
 * A usage notification pops a toast unless the page already shows it: a page with a usage banner
 * (the dashboard, the chat, the purchase page) shows WARNING and above there, once its usage is
 * refreshed — the notification is still in the bell. A recovery (NORMAL) is always toasted.
 */
export function shouldToast(level: Level, hasBanner: () => boolean = pageHasBanner): boolean {
  return !shownLevels.includes(level) || !hasBanner();
}

/**
 * The keys of the answers whose token warning is shown inline: only where the level changes
 * (the first warning, and then each turn whose level differs from the previous warning's).
 * Two turns in a row at WARNING show one notice.
 */
export function warningNoticeKeys(messages: readonly { key: string; role?: string; usage?: unknown; warning?: { level: string } | null }[]): Set<string> {
  const keys = new Set<string>();
  let previous: string | null = null;
  for (const m of messages) {
    if (!m.warning) {
      // A metered answer without a warning: the level fell below WARNING (a purchase), so the next warning is news again.
      if (m.role === 'assistant' && m.usage) previous = null;
      continue;
    }
    if (m.warning.level !== previous) keys.add(m.key);
    previous = m.warning.level;
  }
  return keys;
}
