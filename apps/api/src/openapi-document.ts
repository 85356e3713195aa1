import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createApp } from './app.factory.js';
import { systemClock } from './common/clock.js';
import { loadConfig } from './config/app-config.js';
import { openDatabase } from './database/database.js';
import { openApiDocument } from './openapi.js';

/**
 * Builds the document without listening, on an in-memory PGlite. The configuration is fixed
 * here rather than read from the environment, so the document never depends on the machine that
 * generates it (it is the development surface: the test-usage route is in it, as everywhere but production).
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'openapi-document-openapi-document-0123',
    LOG_LEVEL: 'silent',
    DEMO_ACCOUNTS: 'false',
    SERVE_WEB: 'false',
  });
  const database = await openDatabase({ url: null, dataDir: null });
  try {
    const app = await createApp({ config, database, clock: systemClock });
    try {
      return openApiDocument(app);
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

// `node dist/openapi-document.js` prints the document: npm run contract:generate pipes it into
// packages/api-contract. The logger is silent, so nothing else reaches standard output.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`);
}
