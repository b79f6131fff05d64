/**
 * Debian's Chromium driven by playwright-core, for the dashboard's browser tests: headless, no
 * sandbox (tests run as root), no GPU, no background traffic, a fresh profile per launch. A
 * missing browser is an error (`.ci/run` installs the `chromium` package), never a skip.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string {
  const found = CANDIDATES.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
  if (!found) throw new Error('Chromium is required for the dashboard tests: apt-get install -y chromium (or set CHROMIUM_PATH)');
  return found;
}

export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a fresh user-data dir (so nothing leaks between runs), removed on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'managed-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
