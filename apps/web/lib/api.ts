/** A tiny fetch wrapper: relative /api URLs (same origin), Bearer token, Accept-Language, typed errors. */

import { safeNext } from './safe-next';

const TOKEN_KEY = 'consulton.token';
const LANG_KEY = 'consulton.lang';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function getToken(): string | null {
  if (typeof window === 'undefined') return null;
  return window.localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) window.localStorage.setItem(TOKEN_KEY, token);
  else window.localStorage.removeItem(TOKEN_KEY);
}

export function getLang(): 'ko' | 'en' {
  if (typeof window === 'undefined') return 'ko';
  return window.localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'ko';
}

export function storeLang(lang: 'ko' | 'en'): void {
  window.localStorage.setItem(LANG_KEY, lang);
}

/** Called on any 401 from an authenticated request: forget the session and go to login. */
export function handleUnauthorized(): void {
  setToken(null);
  if (typeof window === 'undefined') return;
  const path = window.location.pathname;
  if (!path.startsWith('/login') && !path.startsWith('/register')) {
    const next = encodeURIComponent(safeNext(path + window.location.search, window.location.origin));
    window.location.assign(`/login/?expired=1&next=${next}`);
  }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  const result: Record<string, string> = { 'Accept-Language': getLang(), ...extra };
  const token = getToken();
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

export async function errorOf(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  const code = typeof body.code === 'string' ? body.code : `HTTP_${response.status}`;
  const message = typeof body.message === 'string' ? body.message : response.statusText || code;
  return new ApiError(response.status, code, message, body);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** When false a 401 is returned as an error instead of sending the user to login (login form). */
  redirectOn401?: boolean;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const extra: Record<string, string> = {};
  if (options.body !== undefined) extra['Content-Type'] = 'application/json';
  if (options.idempotencyKey) extra['Idempotency-Key'] = options.idempotencyKey;
  const response = await fetch(path, {
    method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
    headers: headers(extra),
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
  });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && options.redirectOn401 !== false) handleUnauthorized();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A file from the API (GET, with the session's token), as a Blob to save; errors as `api` throws them. */
export async function apiBlob(path: string): Promise<Blob> {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401) handleUnauthorized();
    throw error;
  }
  return response.blob();
}

/** Hands a Blob to the browser's downloads under `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked once the browser has taken the file: at once would cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
