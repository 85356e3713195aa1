/** Runs of white space (line breaks included) as one space, trimmed: a name or title as the API stores it. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
