import zxcvbnCore from '@zxcvbn-ts/core';
import zxcvbnCommon from '@zxcvbn-ts/language-common';
import { ValidateBy, type ValidationOptions } from 'class-validator';

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

/** Checks a new password with `passwordProblem`, taking the `email` field of the same body as guessable. */
export function IsStrongPassword(options?: ValidationOptions): PropertyDecorator {
  const problemOf = (value: unknown, object: object) => {
    if (typeof value !== 'string') return 'must be a string';
    const email = (object as { email?: unknown }).email;
    return passwordProblem(value, typeof email === 'string' ? email.split(/[@.+_-]/).filter((part) => part.length > 2) : []);
  };
  return ValidateBy(
    {
      name: 'isStrongPassword',
      validator: {
        validate: (value, args) => problemOf(value, args!.object) === null,
        defaultMessage: (args) => `${args!.property} ${problemOf(args!.value, args!.object) ?? ''}`,
      },
    },
    options,
  );
}
