export * from './balances.js';
export * from './config.js';
export * from './messages.js';
export * from './period.js';
export * from './usage.js';
export * from './forecast.js';
