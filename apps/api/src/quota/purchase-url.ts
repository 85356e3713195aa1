import type { AppConfig } from '../config/app-config.js';

/** Where a user buys tokens: every "buy more" link and the TOKEN_EXHAUSTED error point here. */
export function purchaseUrl(config: AppConfig): string {
  return `${config.publicUrl ?? ''}/purchase`;
}
