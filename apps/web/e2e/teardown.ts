import { rmSync } from 'node:fs';

/** Removes the run's temporary DATA_DIR (set in playwright.config.ts). */
export default function teardown(): void {
  const dir = process.env.E2E_DATA_DIR;
  if (dir && dir.includes('consult-on-e2e-')) rmSync(dir, { recursive: true, force: true });
}
