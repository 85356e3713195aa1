import { collapseWhitespace } from '../common/text.js';

/** Longest title made from a first question, in characters (a rename may be longer, up to 100). */
export const AUTO_TITLE_LENGTH = 40;

/** Runs of white space (line breaks included) as one space, trimmed. */
export const normalizeTitle = collapseWhitespace;

/**
 * A conversation's title from its first question: the first line that says something, without
 * Markdown's leading marks (`#`, `>`, `-`, `*`, `1.`), cut at about 40 characters — at a word
 * boundary when there is one in the last third — never inside a surrogate pair.
 */
export function titleFromQuestion(message: string): string {
  const lines = message.split('\n').map((line) => normalizeTitle(line.replace(/^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)+/, '')));
  const first = lines.find((line) => /[\p{L}\p{N}]/u.test(line)) ?? lines.find((line) => line.length > 0) ?? '';
  const characters = [...first];
  if (characters.length <= AUTO_TITLE_LENGTH) return first || '…';
  let cut = AUTO_TITLE_LENGTH;
  const space = characters.slice(0, AUTO_TITLE_LENGTH + 1).lastIndexOf(' ');
  if (space >= Math.floor((AUTO_TITLE_LENGTH * 2) / 3)) cut = space;
  return `${characters.slice(0, cut).join('').trimEnd()}…`;
}
