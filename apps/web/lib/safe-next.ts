/** Where to go after login when `?next=` is missing or unsafe. */
export const DEFAULT_NEXT = '/dashboard/';

/** `target` parsed against `origin` if it stays on that origin (http or https), else null: the URL parser judges, not a prefix test. */
function onOrigin(target: string, origin: string): URL | null {
  try {
    const url = new URL(target, origin);
    return url.origin === origin && (url.protocol === 'http:' || url.protocol === 'https:') ? url : null;
  } catch {
    return null;
  }
}

/**
 * The `?next=` target to go to after login, as a path on `origin`, or DEFAULT_NEXT. Only a path starting with a
 * single '/', without the control characters the parser silently drops ('/\t/evil.com' is '//evil.com'), that
 * resolves to `origin` is kept (the parser reads '\' as '/': '/\evil.com' leaves the site), and only if the path
 * it normalises to, read again, stays there too ('/.//evil.com' normalises to '//evil.com').
 */
export function safeNext(next: string | null, origin: string): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || /[\x00-\x1f\x7f]/.test(next)) return DEFAULT_NEXT;
  const url = onOrigin(next, origin);
  if (!url) return DEFAULT_NEXT;
  const path = url.pathname + url.search + url.hash;
  return onOrigin(path, origin) ? path : DEFAULT_NEXT;
}
