/**
 * A limit as typed (pure): empty for none (null), or a whole number within the bounds — "50,000"
 * and "50 000" read as 50000; anything else is invalid. The member limits' and the API keys' field.
 */
export function parseWholeNumber(text: string, bounds: { min: number; max: number }): { valid: true; value: number | null } | { valid: false } {
  const plain = text.trim().replace(/[,\s]/g, '');
  if (!plain) return { valid: true, value: null };
  if (!/^\d+$/.test(plain)) return { valid: false };
  const value = Number(plain);
  return Number.isSafeInteger(value) && value >= bounds.min && value <= bounds.max ? { valid: true, value } : { valid: false };
}
