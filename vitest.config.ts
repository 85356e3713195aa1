import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the tests so that Nest's decorator metadata is emitted (esbuild emits none).
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    }),
  ],
  resolve: {
    alias: {
      '@consult-on/quota-policy': fileURLToPath(new URL('./packages/quota-policy/src/index.ts', import.meta.url)),
    },
  },
  test: {
    // The API and packages run with the settings here; the web app's tests with its own (jsdom).
    projects: [{ extends: true, test: { name: 'api' } }, 'apps/web/vitest.config.ts'],
    include: ['packages/*/src/**/*.test.ts', 'apps/api/src/**/*.test.ts', 'apps/api/faults/**/*.test.ts', 'apps/api/bench/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['apps/api/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
