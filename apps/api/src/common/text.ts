/** Runs of white space (line breaks included) as one space, trimmed: a name or title as people typed it. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
