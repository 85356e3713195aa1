import 'reflect-metadata';
import type { ConsoleLogger, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { createLogger } from './app-logger.js';
import { AppModule, type AppDependencies } from './app.module.js';
import { StorableTextPipe, verifyJsonBody } from './common/input-guard.js';
import { createValidationPipe } from './common/validation.js';
import { MetricsService } from './metrics/metrics.service.js';
import { openApiDocument } from './openapi.js';
import { CSP_DIRECTIVES, paymentWindowSources, serveWebApp } from './web-app.js';

/** Builds the HTTP application (not yet listening): used by `main.ts` and by the HTTP tests alike. */
export async function createApp(dependencies: AppDependencies): Promise<INestApplication> {
  const { config } = dependencies;
  const logger = createLogger(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(dependencies), {
    logger,
    bufferLogs: false,
  });
  // Express's own JSON parser (Nest's typed helper does not take `verify`): it keeps the raw body
  // (signed webhooks need it) and refuses deep nesting before parsing. Nest then adds no other.
  keepIdleConnections(app.getHttpServer() as Server);
  app.use(json({ limit: config.bodyLimit, verify: verifyJsonBody }));
  app.set('trust proxy', config.trustProxy);
  app.use(
    helmet({
      // The web app's pages add the hashes of their inline scripts to these (serveWebApp).
      contentSecurityPolicy: { directives: CSP_DIRECTIVES },
    }),
  );
  if (logger) app.use(requestLogger(logger));
  app.use(recordLatency(app.get(MetricsService)));
  // `/v1`: OpenAI's wire format for other clients (API keys), at the path those clients expect.
  app.setGlobalPrefix('api', { exclude: ['health', 'metrics', 'v1/{*path}'] });
  if (config.webDir !== null) serveWebApp(app, config.webDir, paymentWindowSources(config.payments));
  app.useGlobalPipes(new StorableTextPipe(), createValidationPipe());
  app.enableShutdownHooks();
  if (config.swaggerEnabled) {
    SwaggerModule.setup('api/docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
  }
  return app;
}

/** How long an idle kept-alive connection stays open: longer than the usual proxy idle timeout (60 s). */
export const KEEP_ALIVE_SECONDS = 65;

/**
 * Node closes an idle kept-alive connection after 5 s, racing any client or proxy that reuses it
 * at that moment: its request is reset (ECONNRESET). Held longer than the proxy's own timeout, the
 * connection is always closed from the other side first.
 */
function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_SECONDS * 1000;
  server.headersTimeout = (KEEP_ALIVE_SECONDS + 1) * 1000;
}

/** Request latency by route pattern (not raw path, so ids do not explode the label set). */
function recordLatency(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction) => {
    const stop = metrics.requestDuration.startTimer();
    response.on('finish', () => {
      const route = (request as Request & { route?: { path?: string } }).route?.path;
      stop({ method: request.method, route: route ? `${request.baseUrl}${route}` : 'unmatched', status: String(response.statusCode) });
    });
    next();
  };
}

/** One JSON line per request: method, path, status and duration. */
function requestLogger(logger: ConsoleLogger) {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = performance.now();
    response.on('finish', () => {
      logger.log(
        {
          message: 'request',
          method: request.method,
          path: request.path,
          status: response.statusCode,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        },
        'HTTP',
      );
    });
    next();
  };
}
