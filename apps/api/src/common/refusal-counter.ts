/**
 * Counts the requests the API refused (4xx), by error code. The HTTP filter in common/ depends
 * on this interface only; the metrics domain provides it under `REFUSAL_COUNTER`.
 */
export interface RefusalCounter {
  countRefusal(code: string): void;
}

export const REFUSAL_COUNTER = Symbol('REFUSAL_COUNTER');
