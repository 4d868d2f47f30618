/// <reference types="node" />
/**
 * Real headless Chromium for browser tests: Debian's `chromium` driven by playwright-core (no
 * browser download, ever). One browser per test file, because launching costs seconds; a fresh
 * context per test, because a context is a user (its own cookies and storage) and tests must
 * not share a login. Two contexts are two users; two pages of one context are two tabs.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { requireService } from '../../../../test-support/require-service.js';

/** Where Debian's `apt-get install chromium` puts the browser. */
export const chromiumPath = '/usr/bin/chromium';

const launchArgs = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  // No traffic the test did not ask for: updates, sync and QUIC probes only add noise and time.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launching shares two cores with other test files; generous, but bounded. */
const LAUNCH_TIMEOUT_MS = 60_000;

/**
 * Call at a test file's top level: whether Chromium is installed. When it is not, the browser
 * tests are skipped with a printed reason, or fail under `CI=true` (see `requireService`).
 *
 * @example
 * const hasChromium = requireChromium();
 * describe.skipIf(!hasChromium)('in Chromium', () => { const browser = useChromium(); ... });
 */
export function requireChromium(): boolean {
  return requireService(
    'browser tests',
    existsSync(chromiumPath),
    `Chromium not found at ${chromiumPath}; apt-get install chromium`,
  );
}

export interface UseChromiumOptions {
  /**
   * Where each test's final screenshots go (one per open page), relative to the working
   * directory, which vitest sets to the package's folder. Gitignored.
   * @default 'test-artifacts'
   */
  readonly artifacts?: string;
}

/** The browser of one test file. */
export interface ChromiumSession {
  /** A new user: a context with its own cookies and storage, closed after the test. */
  newContext(): Promise<BrowserContext>;
  /** A tab of a new user. */
  newPage(): Promise<Page>;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/** Page errors and console errors would otherwise vanish with the page. */
function forwardErrors(page: Page): void {
  page.on('pageerror', (error) => console.warn(`[page error] ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.warn(`[page console] ${message.text()}`);
  });
}

/**
 * Call inside the `describe` of the browser tests: launches Chromium before them, and after
 * each test saves a screenshot of every page it left open, then closes its contexts.
 *
 * @example
 * describe.skipIf(!requireChromium())('login in a browser', () => {
 *   const chromium = useChromium();
 *   it('logs in', async () => {
 *     const page = await chromium.newPage();
 *     await page.goto(site.url);
 *   });
 * });
 */
export function useChromium(options: UseChromiumOptions = {}): ChromiumSession {
  const artifacts = options.artifacts ?? 'test-artifacts';
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: launchArgs,
      timeout: LAUNCH_TIMEOUT_MS,
    });
  }, LAUNCH_TIMEOUT_MS);

  afterEach(async (context) => {
    const open = contexts.splice(0);
    const pages = open.flatMap((each) => each.pages());
    const name = slug(`${context.task.file.name.replace(/^.*\//, '')}--${context.task.name}`);
    if (pages.length > 0) await mkdir(artifacts, { recursive: true });
    for (const [index, page] of pages.entries()) {
      const suffix = pages.length > 1 ? `-tab${index + 1}` : '';
      const path = join(artifacts, `${name}${suffix}.png`);
      // A page that crashed or was closed by the test has nothing to show; the test says why.
      await page.screenshot({ path }).catch((error: unknown) => {
        console.warn(`no screenshot ${path}: ${String(error)}`);
      });
    }
    await Promise.all(open.map((each) => each.close()));
  });

  afterAll(async () => {
    await browser?.close();
  });

  const newContext = async (): Promise<BrowserContext> => {
    if (!browser) throw new Error('Chromium is not running: call useChromium() inside describe');
    const context = await browser.newContext();
    contexts.push(context);
    context.on('page', forwardErrors);
    return context;
  };

  return {
    newContext,
    async newPage() {
      return (await newContext()).newPage();
    },
  };
}
