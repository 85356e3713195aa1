import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import helmet from 'helmet';

/** Where the web app's static export is, relative to this file (dist/ or src/). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/out', import.meta.url));

/**
 * The Content-Security-Policy of every response: helmet's defaults with the web app's needs. Scripts come from
 * the site only; the web app's pages add the hashes of their own inline scripts (see `serveWebApp`).
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(Object.entries(helmet.contentSecurityPolicy.getDefaultDirectives()).map(([name, values]) => [name, Array.from(values, String)])),
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
};

/** A `<script>` element: its attributes and its text, up to the end tag as the HTML tokenizer finds it. */
const SCRIPT_ELEMENT = /<script\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/script[\s/>]/gi;
const ATTRIBUTE_NAME = /([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g;

/** The CSP sources ('sha256-…') that allow the inline scripts (those without `src`) of an HTML page. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const [, attributes, text] of html.matchAll(SCRIPT_ELEMENT)) {
    const names = Array.from(attributes.matchAll(ATTRIBUTE_NAME), ([, name]) => name.toLowerCase());
    if (names.includes('src')) continue;
    // The browser hashes the text after the parser's newline normalisation.
    const digest = createHash('sha256').update(text.replace(/\r\n?/g, '\n'), 'utf8').digest('base64');
    hashes.add(`'sha256-${digest}'`);
  }
  return [...hashes];
}

/** Sources a page may use beyond the site, per directive: the payment provider's window (Toss's JS SDK). */
export type ExtraSources = Readonly<Partial<Record<'script-src' | 'connect-src' | 'frame-src', readonly string[]>>>;

/**
 * What the configured payment provider's window needs: Toss's SDK script from its origin, which
 * then talks to and frames Toss's domains. Stripe Checkout is a full-page redirect and needs none.
 */
export function paymentWindowSources(payments: { provider: string; toss: { sdkUrl: string } | null }): ExtraSources {
  if (payments.provider !== 'toss' || !payments.toss) return {};
  const sdkOrigin = new URL(payments.toss.sdkUrl).origin;
  const toss = sdkOrigin.endsWith('.tosspayments.com') ? ['https://*.tosspayments.com'] : [];
  return { 'script-src': [sdkOrigin], 'connect-src': [sdkOrigin, ...toss], 'frame-src': [sdkOrigin, ...toss] };
}

/** CSP_DIRECTIVES as a header value, with `scripts` added to script-src and the extra sources to theirs. */
function policy(scripts: string[], extra: ExtraSources): string {
  const directives: Record<string, readonly string[]> = { ...CSP_DIRECTIVES, 'script-src': [...CSP_DIRECTIVES['script-src'], ...(extra['script-src'] ?? []), ...scripts] };
  if (extra['connect-src']) directives['connect-src'] = [...CSP_DIRECTIVES['connect-src'], ...extra['connect-src']];
  if (extra['frame-src']) directives['frame-src'] = ["'self'", ...extra['frame-src']];
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join(';');
}

/**
 * Serves the web app's static export at `/` from the API process, so one command and one port
 * bring up everything. API routes (`/api`, `/v1/`, `/health`, `/metrics`) are untouched; an unknown page gets the
 * export's 404 page. Each page is sent with a CSP that allows its own inline scripts (Next bootstraps React with
 * them) by hash, computed once per version of the file. Returns whether the web app was found.
 */
export function serveWebApp(app: NestExpressApplication, directory: string = DEFAULT_WEB_DIR, paymentWindow: ExtraSources = {}): boolean {
  if (!existsSync(path.join(directory, 'index.html'))) return false;
  const policies = new Map<string, { mtimeMs: number; policy: string }>();
  const setPolicy = (response: express.Response, file: string, mtimeMs: number) => {
    let cached = policies.get(file);
    if (cached?.mtimeMs !== mtimeMs) {
      // Only the purchase pages open the payment window: the provider's script is allowed there and nowhere else.
      const extra = path.relative(directory, file).split(path.sep)[0] === 'purchase' ? paymentWindow : {};
      cached = { mtimeMs, policy: policy(inlineScriptHashes(readFileSync(file, 'utf8')), extra) };
      policies.set(file, cached);
    }
    response.setHeader('Content-Security-Policy', cached.policy);
  };
  const files = express.static(directory, {
    index: 'index.html',
    extensions: ['html'],
    maxAge: '1h',
    redirect: true,
    setHeaders: (response, file, stat) => {
      if (file.endsWith('.html')) setPolicy(response, file, stat.mtimeMs);
    },
  });
  const notFound = path.join(directory, '404.html');
  app.use((request: express.Request, response: express.Response, next: express.NextFunction) => {
    // `/api/…`, not any path that starts with the letters (the web app's `/api-keys/` page).
    const apiRoute = request.path === '/api' || request.path.startsWith('/api/') || request.path.startsWith('/v1/') || request.path === '/health' || request.path === '/metrics';
    if (apiRoute || (request.method !== 'GET' && request.method !== 'HEAD')) return next();
    files(request, response, () => {
      if (!existsSync(notFound)) return next();
      setPolicy(response, notFound, statSync(notFound).mtimeMs);
      response.status(404).sendFile(notFound);
    });
  });
  return true;
}
