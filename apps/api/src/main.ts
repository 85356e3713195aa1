import { startServer, DEMO_ACCOUNTS } from './bootstrap.js';
import { ConfigError, loadConfig } from './config/app-config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const started = performance.now();
  const server = await startServer(config);
  const lines = [
    '',
    `  Consult-On API is running (${config.nodeEnv}) in ${Math.round(performance.now() - started)} ms`,
    ...(server.webServed ? [`  Web app:  ${server.url}/`] : []),
    `  API:      ${server.url}/api`,
    `  Health:   ${server.url}/health`,
    config.swaggerEnabled ? `  Swagger:  ${server.url}/api/docs` : '  Swagger:  disabled',
    `  Database: ${server.database.description}`,
    ...(server.readDatabase ? [`  Reads:    ${server.readDatabase.description} (admin statistics, reports)`] : []),
    `  Cache:    ${config.redis.url ? 'Redis' : 'in memory'}`,
  ];
  if (config.jwt.isEphemeral) lines.push('  JWT_SECRET is not set: a random key is used and sessions end at restart.');
  if (config.demoAccounts) {
    lines.push('', '  Demo accounts:');
    for (const account of DEMO_ACCOUNTS) lines.push(`    ${account.role.padEnd(5)}  ${account.email}  /  ${account.password}`);
  }
  if (config.admin) lines.push(`  Admin account: ${config.admin.email} (from ADMIN_EMAIL)`);
  console.log(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  console.error('Consult-On API failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
