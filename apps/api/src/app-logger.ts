import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { AppConfig } from './config/app-config.js';

const LOG_LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
  silent: [],
};

/** Nest's own start-up chatter (one line per module and route), kept for LOG_LEVEL=debug. */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

class JsonLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context) && !this.isLevelEnabled('debug')) return;
    super.log(message, ...rest);
  }
}

/** JSON lines on stdout at LOG_LEVEL; false when LOG_LEVEL=silent. Used by the application and by the cluster's primary. */
export function createLogger(config: AppConfig): ConsoleLogger | false {
  if (config.logLevel === 'silent') return false;
  return new JsonLogger({ json: true, logLevels: LOG_LEVELS[config.logLevel] });
}
