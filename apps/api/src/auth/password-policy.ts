import zxcvbnCore from '@zxcvbn-ts/core';
import zxcvbnCommon from '@zxcvbn-ts/language-common';
import { ValidationFailedError } from '../common/errors.js';

/**
 * zxcvbn's score from 0 to 4; 2 means "somewhat guessable" (about 10⁸ guesses), the usual floor:
 * it refuses `12345678`, `password`, `qwerty123` and `iloveyou1` but takes a short phrase.
 */
export const PASSWORD_MIN_SCORE = 2;
/** Only this many leading characters are scored: the estimate's cost grows faster than the length, and a longer strong start is strong enough. */
const SCORED_CHARACTERS = 64;

let checker: InstanceType<typeof zxcvbnCore.ZxcvbnFactory> | null = null;

/** The estimator with its common-password and keyboard dictionaries, built once (about 0.1 s). */
function estimator() {
  checker ??= new zxcvbnCore.ZxcvbnFactory({ dictionary: { ...zxcvbnCommon.dictionary }, graphs: zxcvbnCommon.adjacencyGraphs });
  return checker;
}

/** What is wrong with a new password, or null when it is strong enough; `userInputs` (the email, say) count as guessable. */
export function passwordProblem(password: string, userInputs: string[] = []): string | null {
  if (password.trim().length === 0) return 'must not be only spaces';
  const { score } = estimator().check(password.slice(0, SCORED_CHARACTERS), userInputs);
  if (score < PASSWORD_MIN_SCORE) return 'is too common or too easy to guess: use a longer phrase or mix in unusual words';
  return null;
}

/** A new password that `passwordProblem` refuses: a 400 whose message says why, in the user's language. */
export class WeakPasswordError extends ValidationFailedError {
  override readonly localized = {
    ko: '비밀번호가 너무 흔하거나 추측하기 쉽습니다. 더 긴 문구를 쓰거나 흔하지 않은 단어를 섞어 주세요.',
    en: 'This password is too common or too easy to guess. Use a longer phrase or mix in unusual words.',
  };
  constructor(problem: string) {
    super([{ field: 'password', problems: [`password ${problem}`] }]);
  }
}

/** Refuses a new password that is too easy to guess; the address's words count as guessable. */
export function assertStrongPassword(password: string, email: string): void {
  const problem = passwordProblem(password, email.split(/[@.+_-]/).filter((part) => part.length > 2));
  if (problem) throw new WeakPasswordError(problem);
}
