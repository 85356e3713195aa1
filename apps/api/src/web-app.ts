import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';

/** Where the web app's static export is, relative to this file (dist/ or src/). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/out', import.meta.url));

/**
 * Serves the web app's static export at `/` from the API process, so one command and one port
 * bring up everything. API routes (`/api`, `/health`, `/metrics`) are untouched; an unknown page gets the
 * export's 404 page. Returns whether the web app was found.
 */
export function serveWebApp(app: NestExpressApplication, directory: string = DEFAULT_WEB_DIR): boolean {
  if (!existsSync(path.join(directory, 'index.html'))) return false;
  const files = express.static(directory, { index: 'index.html', extensions: ['html'], maxAge: '1h', redirect: true });
  const notFound = path.join(directory, '404.html');
  app.use((request: express.Request, response: express.Response, next: express.NextFunction) => {
    const apiRoute = request.path.startsWith('/api') || request.path === '/health' || request.path === '/metrics';
    if (apiRoute || (request.method !== 'GET' && request.method !== 'HEAD')) return next();
    files(request, response, () => {
      if (existsSync(notFound)) response.status(404).sendFile(notFound);
      else next();
    });
  });
  return true;
}
