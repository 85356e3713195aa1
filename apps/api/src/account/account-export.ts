/** The pieces of the account's JSON export, pure. */

/** `"name":value` in JSON (dates as ISO strings, as JSON.stringify writes them). */
export function jsonField(name: string, value: unknown): string {
  return `${JSON.stringify(name)}:${JSON.stringify(value ?? null)}`;
}

/** One entry of a JSON array written piece by piece: a comma before every entry but the first. */
export function jsonEntry(value: unknown, first: boolean): string {
  return `${first ? '' : ','}${JSON.stringify(value)}`;
}

/** The export's file name, with the day it was made. */
export function exportFileNames(now: Date): { ascii: string; unicode: string } {
  const name = `consult-on-export-${now.toISOString().slice(0, 10)}.json`;
  return { ascii: name, unicode: name };
}
