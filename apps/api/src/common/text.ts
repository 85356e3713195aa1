/** Runs of white space (line breaks included) as one space, trimmed: a name or title as people typed it. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `text` as an ILIKE pattern that matches it literally anywhere (escape character: backslash, say so with `escape '\\'`). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
