import { domainToASCII } from 'node:url';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/** An email address as the service keeps it, and the form that decides whether two addresses are one account. */
export interface EmailAddress {
  /** Trimmed, NFKC-normalized and lowercased: what the user signs in with and what mail goes to. */
  address: string;
  /**
   * One mailbox, one account: sub-addresses (`+tag`) and dots of the local part are dropped and
   * the domain is in ASCII (punycode), so `A.lice+1@Example.com` and `alice@example.com` collide.
   */
  canonical: string;
}

/** Characters RFC 5322 allows unquoted in a local part (after lowercasing); anything else is refused. */
const LOCAL_PART = /^[a-z0-9!#$%&'*/=?^_`{|}~+.-]{1,64}$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** Invisible and control characters: zero-width spaces and joiners, BOMs, bidi controls, NUL. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u;
const SAME_MAILBOX_DOMAINS: Record<string, string> = { 'googlemail.com': 'gmail.com' };

/** The address as kept, for lookups and DTO transforms: the one normalization used everywhere. */
export function normalizeEmail(input: string): string {
  return input.trim().normalize('NFKC').toLowerCase();
}

/**
 * Parses an address a person typed, or says what is wrong with it. Full-width letters become
 * ASCII (NFKC); a local part in another script (Cyrillic `а` for Latin `a`) or with invisible
 * characters is refused rather than guessed at, so look-alike addresses cannot open new accounts.
 */
export function parseEmail(input: string): EmailAddress | { problem: string } {
  const address = normalizeEmail(input);
  if (address.length > 254) return { problem: 'must be at most 254 characters' };
  if (INVISIBLE.test(address)) return { problem: 'must not contain spaces, invisible or control characters' };
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return { problem: 'must be an email address' };
  const local = address.slice(0, at);
  const domain = domainToASCII(address.slice(at + 1));
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { problem: 'the part before @ must use Latin letters, digits and . _ + - only' };
  }
  const labels = domain.split('.');
  if (!domain || labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label)) || /^\d+$/.test(labels.at(-1)!)) {
    return { problem: 'the part after @ must be a domain name' };
  }
  const mailbox = local.split('+')[0]!.replaceAll('.', '');
  if (!mailbox) return { problem: 'the part before @ must not be empty' };
  return { address, canonical: `${mailbox}@${SAME_MAILBOX_DOMAINS[domain] ?? domain}` };
}

export function isEmailAddress(parsed: ReturnType<typeof parseEmail>): parsed is EmailAddress {
  return 'canonical' in parsed;
}

/** Validates an address for a new account with `parseEmail`, naming what is wrong. */
export function IsAccountEmail(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAccountEmail',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isEmailAddress(parseEmail(value)),
        defaultMessage: (args) => {
          const { value, property } = args!;
          const parsed = typeof value === 'string' ? parseEmail(value) : { problem: 'must be a string' };
          return `${property} ${'problem' in parsed ? parsed.problem : 'must be an email address'}`;
        },
      },
    },
    options,
  );
}
