/**
 * Messages of one part of the app, kept apart so that parts can be worked on side by side; ko.ts
 * and en.ts spread them in. Both objects must have the same keys (en.ts checks it).
 */
export const conversationsKo = {} as const;

export const conversationsEn = {} satisfies Record<keyof typeof conversationsKo, string>;
