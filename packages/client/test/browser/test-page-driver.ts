/**
 * Waiting on the test page (test-page.ts) from Node: every wait is on a condition in the page,
 * bounded, and a timeout says what was awaited and what the page's client went through, so a
 * failure in CI can be read without rerunning it.
 */
import type { Page } from 'playwright-core';
import type { ClientState } from '../../src/index.js';
import type { PageEvent } from './test-page.js';

/** Generous for two busy cores; a healthy wait takes milliseconds. */
export const PAGE_WAIT_MS = 10_000;

/** The page's recorded client events, in order. */
export function pageEvents(page: Page): Promise<PageEvent[]> {
  return page.evaluate(() => window.wsgateTest.events);
}

/**
 * Waits until `condition(arg)` holds in the page. The condition runs in the browser: it may
 * use only its argument and the page's globals (`window.wsgateTest`), nothing from the test.
 *
 * @example
 * await waitForPage(page, 'a message', () => window.wsgateTest.events.some((e) => e.event === 'message'));
 */
export async function waitForPage<A>(
  page: Page,
  what: string,
  condition: (arg: A) => boolean,
  arg?: A,
): Promise<void> {
  try {
    // Playwright types the argument as it arrives in the page (handles unboxed); ours are plain.
    const inPage = condition as (arg: unknown) => boolean;
    await page.waitForFunction(inPage, arg, { timeout: PAGE_WAIT_MS });
  } catch (error) {
    const events = await pageEvents(page).catch(() => 'unavailable (the page is gone)');
    throw new Error(
      `waited ${PAGE_WAIT_MS} ms for ${what}: ${String(error)}\nthe page's client events: ${JSON.stringify(events)}`,
      { cause: error },
    );
  }
}

/** Waits until the page's client is in `state`. */
export function waitForState(page: Page, state: ClientState): Promise<void> {
  return waitForPage(
    page,
    `the client to be ${state}`,
    (wanted) => window.wsgateTest?.client.state === wanted,
    state,
  );
}

/** Waits until the page's client has emitted `count` events named `event` in all. */
export function waitForEvent(page: Page, event: PageEvent['event'], count = 1): Promise<void> {
  return waitForPage(
    page,
    `${count} '${event}' event(s)`,
    ([name, wanted]) =>
      (window.wsgateTest?.events.filter((each) => each.event === name).length ?? 0) >= wanted,
    [event, count] as const,
  );
}
