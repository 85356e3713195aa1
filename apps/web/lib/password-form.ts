import type { Key } from './i18n';

/**
 * What the browser checks of a new password typed twice before asking the API (which checks it
 * again, with its strength): the settings' change and the mailed link's reset.
 */
export function newPasswordProblem(next: string, confirm: string): { field: 'next' | 'confirm'; key: Key } | null {
  if (next.length < 8) return { field: 'next', key: 'passwordTooShort' };
  if (next !== confirm) return { field: 'confirm', key: 'passwordMismatch' };
  return null;
}
