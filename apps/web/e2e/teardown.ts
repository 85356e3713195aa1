import { rmSync } from 'node:fs';

/** Removes the run's temporary DATA_DIRs (set in playwright.config.ts). */
export default function teardown(): void {
  for (const dir of [process.env.E2E_DATA_DIR, process.env.E2E_MAIL_DATA_DIR]) {
    if (dir && dir.includes('consult-on-e2e-')) rmSync(dir, { recursive: true, force: true });
  }
}
