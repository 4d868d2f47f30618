/// <reference types="node" />
/**
 * The client's connection life in real headless Chromium against the real server stack: it
 * opens, carries messages, stops for good on 4403 (a browser sees only 1006 for a refused
 * upgrade, so wsgate completes it to say why), and survives a server that dies and comes back.
 */
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { EchoReply, TestFrame } from './auth-site.js';
import { startAuthSite } from './auth-site.js';
import { requireChromium, useChromium } from './launch-chromium.js';
import { pageEvents, waitForEvent, waitForState } from './test-page-driver.js';
import type { TestSite } from './test-site.js';

describe.skipIf(!requireChromium())('the client in Chromium', { timeout: 60_000 }, () => {
  const chromium = useChromium();
  let site: TestSite;

  beforeEach(async () => {
    site = await startAuthSite();
    // After the afterEach hooks, so that the screenshots show the test's end, not the close.
    onTestFinished(() => site.server.close());
  });

  it('opens from the page and carries a message both ways', async () => {
    const page = await chromium.newPage();
    await page.goto(site.page({ socket: '/ws/echo/' }));
    await waitForState(page, 'open');
    const frame: TestFrame = { type: 'test.echo', text: 'hello from Chromium' };
    const result = await page.evaluate((sent) => window.wsgateTest.client.sendJson(sent), frame);
    expect(result).toBe('sent');
    await waitForEvent(page, 'message');
    const events = await pageEvents(page);
    expect(events.slice(0, 2)).toEqual([
      { event: 'state', detail: { state: 'open', previous: 'connecting' } },
      { event: 'open', detail: { user: null } },
    ]);
    const message = events.find((each) => each.event === 'message');
    const reply: EchoReply = { echo: 'hello from Chromium', userId: null };
    expect(JSON.parse(message?.detail as string)).toEqual(reply);
  });

  it('stops for good when the server closes an open socket with 4403', async () => {
    const page = await chromium.newPage();
    await page.goto(site.page({ socket: '/ws/echo/' }));
    await waitForState(page, 'open');
    const frame: TestFrame = { type: 'test.forbid' };
    await page.evaluate((sent) => window.wsgateTest.client.sendJson(sent), frame);
    await waitForState(page, 'closed');
    const events = await pageEvents(page);
    expect(events).toContainEqual({
      event: 'close',
      detail: { code: 4403, reason: 'forbidden by the test', willReconnect: false },
    });
    expect(events).toContainEqual({
      event: 'revoked',
      detail: { reason: 'forbidden by the test' },
    });
    // `closed` means no reconnect is scheduled: one handshake, and the page says so.
    expect(site.server.handshakes).toBe(1);
    expect(await page.textContent('#state')).toBe('closed');
  });

  it('learns why a handshake was refused with 4403 (not a bare 1006) and does not retry', async () => {
    const page = await chromium.newPage();
    await page.goto(site.page({ socket: '/ws/refuse/' }));
    await waitForState(page, 'closed');
    const events = await pageEvents(page);
    const close = events.find((each) => each.event === 'close');
    expect(close?.detail).toMatchObject({ code: 4403, willReconnect: false });
    const error = events.find((each) => each.event === 'error');
    expect(error?.detail).toMatchObject({ code: 4403 });
    expect((error?.detail as { message: string }).message).toContain('this room is closed to you');
    expect(events.some((each) => each.event === 'open')).toBe(false);
    expect(site.server.handshakes).toBe(1);
  });

  it('reconnects by itself when the server is killed and restarted, without a reload', async () => {
    const page = await chromium.newPage();
    await page.goto(site.page({ socket: '/ws/echo/', baseMs: 100, capMs: 1_000 }));
    await waitForState(page, 'open');
    // A reload would start a new page with no marker and a new event log.
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    await site.server.kill();
    await waitForState(page, 'reconnecting');
    await site.server.restart();
    await waitForState(page, 'open');
    const frame: TestFrame = { type: 'test.echo', text: 'back again' };
    await page.evaluate((sent) => window.wsgateTest.client.sendJson(sent), frame);
    await waitForEvent(page, 'message');
    const states = (await pageEvents(page))
      .filter((each) => each.event === 'state')
      .map((each) => (each.detail as { state: string }).state);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    // The page was told when each attempt would come, within the backoff it was given.
    const announced = (await pageEvents(page))
      .filter((each) => each.event === 'reconnecting')
      .map((each) => each.detail as { attempt: number; delayMs: number });
    expect(announced.length).toBeGreaterThan(0);
    announced.forEach(({ attempt, delayMs }, index) => {
      expect(attempt).toBe(index + 1);
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(Math.min(1_000, 100 * 2 ** index));
    });
    expect(await page.evaluate(() => 'stillTheSamePage' in window)).toBe(true);
  });
});
