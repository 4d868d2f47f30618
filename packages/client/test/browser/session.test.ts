/// <reference types="node" />
/**
 * The session in real headless Chromium against the real server stack (issue 4): a login made
 * inside the socket reaches the HttpOnly cookie through the ticket exchange, so it survives a
 * reload; a logout in one tab signs out the other tabs of the same browser.
 */
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { WireUser } from '../../src/index.js';
import type { EchoReply, TestFrame } from './auth-site.js';
import { session, startAuthSite } from './auth-site.js';
import { requireChromium, useChromium } from './launch-chromium.js';
import { pageEvents, waitForEvent, waitForPage, waitForState } from './test-page-driver.js';
import type { TestSite } from './test-site.js';

const ada = { username: 'ada', password: 'lovelace' };

function logIn(page: Page): Promise<WireUser> {
  return page.evaluate((credentials) => window.wsgateTest.client.login(credentials), ada);
}

/** Who the application's consumer sees in its scope on the page's socket. */
async function consumerSees(page: Page): Promise<string | null> {
  const before = (await pageEvents(page)).filter((each) => each.event === 'message').length;
  const frame: TestFrame = { type: 'test.echo', text: 'who am I?' };
  await page.evaluate((sent) => window.wsgateTest.client.sendJson(sent), frame);
  await waitForEvent(page, 'message', before + 1);
  const replies = (await pageEvents(page)).filter((each) => each.event === 'message');
  return (JSON.parse(replies.at(-1)?.detail as string) as EchoReply).userId;
}

/** Who the server's socket auth sees on the page's connection (waits for one if need be). */
async function whoami(page: Page): Promise<string | number | null> {
  const user = await page.evaluate(() => window.wsgateTest.client.whoami());
  return user?.id ?? null;
}

function waitForUser(page: Page, id: string | null): Promise<void> {
  return waitForPage(
    page,
    `the client's user to be ${String(id)}`,
    (wanted) => (window.wsgateTest?.client.user?.id ?? null) === wanted,
    id,
  );
}

describe.skipIf(!requireChromium())('the session in Chromium', { timeout: 60_000 }, () => {
  const chromium = useChromium();
  let site: TestSite;

  beforeEach(async () => {
    site = await startAuthSite();
    // After the afterEach hooks, so that the screenshots show the test's end, not the close.
    onTestFinished(() => site.server.close());
  });

  it("the client's login persists across a page reload through the ticket exchange", async () => {
    const context = await chromium.newContext();
    const page = await context.newPage();
    await page.goto(site.page({ socket: '/ws/echo/' }));
    await waitForState(page, 'open');
    expect(await page.evaluate(() => window.wsgateTest.client.user)).toBeNull();

    const user = await logIn(page);
    expect(user.id).toBe('1');
    // login() resolves once the ticket became the cookie: HttpOnly, so the page cannot read it.
    const cookies = await context.cookies(site.url);
    expect(cookies.find((cookie) => cookie.name === session.cookieName)).toMatchObject({
      httpOnly: true,
    });
    expect(await page.evaluate(() => document.cookie)).not.toContain(session.cookieName);

    await page.reload();
    await waitForState(page, 'open');
    const [opened] = (await pageEvents(page)).filter((each) => each.event === 'open');
    expect(opened?.detail).toMatchObject({ user: { id: '1' } });
    expect(await consumerSees(page)).toBe('1');
    expect(await page.evaluate(() => document.cookie)).not.toContain(session.cookieName);
  });

  // Regression: tab B relayed the server's auth.revoked over BroadcastChannel while tab A's own
  // logout() awaited its answer; tab A took it for a logout elsewhere and dropped its socket.
  it('two tabs see a logout together', async () => {
    const context = await chromium.newContext();
    const [tabA, tabB] = [await context.newPage(), await context.newPage()];
    await tabA.goto(site.page({ socket: '/ws/echo/' }));
    await waitForState(tabA, 'open');
    await logIn(tabA);
    // The second tab opens with the cookie the first one's login set.
    await tabB.goto(site.page({ socket: '/ws/echo/' }));
    await waitForState(tabB, 'open');
    await waitForUser(tabB, '1');

    await tabA.evaluate(() => window.wsgateTest.client.logout());
    await waitForUser(tabA, null);
    await waitForEvent(tabB, 'revoked');
    await waitForUser(tabB, null);
    expect(await whoami(tabB)).toBeNull();

    // The logout reached the cookie too: a reload in either tab is anonymous.
    await tabB.reload();
    await waitForState(tabB, 'open');
    expect(await tabB.evaluate(() => window.wsgateTest.client.user)).toBeNull();
  });

  it("the server's auth.revoked reaches the other tab without BroadcastChannel", async () => {
    const context = await chromium.newContext();
    const [tabA, tabB] = [await context.newPage(), await context.newPage()];
    const alone = site.page({ socket: '/ws/echo/', crossTab: 0 });
    await tabA.goto(alone);
    await waitForState(tabA, 'open');
    await logIn(tabA);
    await tabB.goto(alone);
    await waitForUser(tabB, '1');

    await tabA.evaluate(() => window.wsgateTest.client.logout());
    await waitForEvent(tabB, 'revoked');
    await waitForUser(tabB, null);
    expect(await whoami(tabB)).toBeNull();
  });
});
