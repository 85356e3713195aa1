import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

const ORIGIN = 'https://consult-on.example';

describe('safeNext', () => {
  it('keeps a path on the site, with its query and hash', () => {
    expect(safeNext('/chat/?c=1', ORIGIN)).toBe('/chat/?c=1');
    expect(safeNext('/admin/user/?id=u-1#ledger', ORIGIN)).toBe('/admin/user/?id=u-1#ledger');
    // still encoded (not what ?next=%5C decodes to): a path segment, not a host
    expect(safeNext('/%5Cevil.com/x', ORIGIN)).toBe('/%5Cevil.com/x');
  });

  it.each([
    ['a backslash (?next=/%5Cevil.com/x, decoded)', '/\\evil.com/x'],
    ['a tab the parser strips', '/\tevil.com/x'],
    ['a tab before the second slash (?next=/%09/evil.com/x)', '/\t/evil.com/x'],
    ['a newline before the second slash', '/\n/evil.com/x'],
    ['a protocol-relative URL', '//evil.com'],
    ['an absolute URL', 'https://evil.com'],
    ['an absolute URL to the same origin', `${ORIGIN}/chat/`],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a backslash then a slash', '/\\/evil.com'],
    ['encoded slashes', '%2F%2Fevil.com'],
    ['a dot segment that normalises to //', '/.//evil.com'],
    ['a dot-dot segment that normalises to //', '/x/..//evil.com'],
    ['an encoded dot segment that normalises to //', '/%2e//evil.com'],
    ['no value', null],
    ['an empty value', ''],
  ])('sends %s to the dashboard', (_, next) => {
    expect(safeNext(next, ORIGIN)).toBe('/dashboard/');
  });
});
