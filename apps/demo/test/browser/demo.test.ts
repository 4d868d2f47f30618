/// <reference types="node" />
/**
 * The demo in real headless Chromium against the real process: two people chat; a reload
 * keeps the session; signing out in one tab signs out the other, and "sign out everywhere"
 * reaches another browser; a server killed and restarted shows the reconnect countdown and
 * comes back without a page reload. Screenshots of the main states go to test-artifacts/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  requireChromium,
  useChromium,
} from '../../../../packages/client/test/browser/launch-chromium.js';
import { DemoProcess } from '../demo-process.js';
import { postForm } from '../room-client.js';
import {
  say,
  screenshot,
  signInOverSocket,
  signUpWithForm,
  waitForMessage,
  waitForPill,
  waitForPresence,
  waitForUser,
} from './chat-page.js';

describe.skipIf(!requireChromium())('the demo in Chromium', { timeout: 90_000 }, () => {
  const chromium = useChromium();
  let demo: DemoProcess;
  /** Where pages, scripts and sockets share one origin. */
  let base: string;

  beforeEach(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wsgate-demo-browser-'));
    demo = await DemoProcess.start({ dataDir });
    base = demo.url.replace('//localhost:', '//127.0.0.1:');
    // After the afterEach hooks, so that their screenshots show the test's end.
    onTestFinished(async () => {
      await demo.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
  });

  /** An account made over HTTP from Node, as another device would. */
  async function account(username: string, password: string): Promise<void> {
    const response = await postForm(base, '/auth/signup', { username, password });
    expect(response.status).toBe(200);
  }

  it('two people in two browsers chat in a room', async () => {
    await account('grace', 'hopper-1906');
    const ada = await chromium.newPage();
    await ada.goto(`${base}/#lobby`);
    await waitForPill(ada, 'online');
    await screenshot(ada, '01-guest');
    await signUpWithForm(ada, 'ada', 'lovelace-1815');
    expect(new URL(ada.url()).hash).toBe('#lobby');

    const grace = await chromium.newPage();
    await grace.goto(`${base}/#lobby`);
    await waitForPresence(grace, 'ada');
    await grace.click('#card-signin');
    await grace.fill('#signin-form input[name=username]', 'grace');
    await grace.fill('#signin-form input[name=password]', 'hopper-1906');
    await screenshot(grace, '02-sign-in-dialog');
    await grace.click('#signin-form button[type=submit]');
    await waitForUser(grace, 'grace');
    await waitForPresence(ada, 'grace');

    await say(ada, 'Hello Grace! This message went over a WebSocket.');
    await waitForMessage(grace, 'ada', 'Hello Grace! This message went over a WebSocket.');
    await say(grace, 'Hi Ada. And your name came from the server, not from your page.');
    await waitForMessage(
      ada,
      'grace',
      'Hi Ada. And your name came from the server, not from your page.',
    );
    await say(ada, 'One session cookie, for HTTP and the socket.');
    await waitForMessage(grace, 'ada', 'One session cookie, for HTTP and the socket.');
    await screenshot(ada, '03-chat');
  });

  it('explains a failed sign-in, through the socket and through the form', async () => {
    await account('ada', 'lovelace-1815');
    const page = await chromium.newPage();
    await page.goto(`${base}/#lobby`);
    await waitForPill(page, 'online');
    await page.click('#card-signin');
    await page.fill('#signin-form input[name=username]', 'ada');
    await page.fill('#signin-form input[name=password]', 'not her password');
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#signin-form .form-error:text("Wrong username or password.")');

    await page.check('#signin-form input[value=http]');
    await Promise.all([page.waitForNavigation(), page.click('#signin-form button[type=submit]')]);
    // Back from the 303 with ?error=credentials: the dialog reopens with the reason.
    await page.waitForSelector('#signin-form .form-error:text("Wrong username or password.")');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.isChecked('#signin-form input[value=http]')).toBe(true);
    await waitForUser(page, null);
  });

  it('keeps a socket sign-in across a reload', async () => {
    await account('ada', 'lovelace-1815');
    const page = await chromium.newPage();
    await page.goto(`${base}/#random`);
    await waitForPill(page, 'online');
    await signInOverSocket(page, 'ada', 'lovelace-1815');
    await screenshot(page, '04-signed-in-over-socket');
    await page.reload();
    await waitForPill(page, 'online');
    await waitForUser(page, 'ada');
    await say(page, 'still me after a reload');
    await waitForMessage(page, 'ada', 'still me after a reload');
  });

  it('signs out the other tab, and "sign out everywhere" reaches another browser', async () => {
    await account('ada', 'lovelace-1815');
    const browser = await chromium.newContext();
    const [first, second] = [await browser.newPage(), await browser.newPage()];
    await first.goto(`${base}/#lobby`);
    await signInOverSocket(first, 'ada', 'lovelace-1815');
    await second.goto(`${base}/#help`);
    await waitForUser(second, 'ada');

    await first.click('#sign-out');
    await waitForUser(first, null);
    await waitForUser(second, null);

    // Ada signs in again here, and on another device.
    await signInOverSocket(first, 'ada', 'lovelace-1815');
    await waitForUser(second, 'ada');
    const laptop = await chromium.newPage();
    await laptop.goto(`${base}/#lobby`);
    await signInOverSocket(laptop, 'ada', 'lovelace-1815');

    await first.click('#sign-out-everywhere');
    await waitForUser(first, null);
    await waitForUser(second, null);
    await waitForUser(laptop, null);
    await waitForPill(laptop, 'signed-out');
    expect(await laptop.textContent('#signed-out-reason')).toContain('you signed out everywhere');
    await screenshot(laptop, '05-signed-out-everywhere');
    // The server agrees: the laptop's socket may no longer post.
    await say(laptop, 'am I still here?');
    await laptop.waitForSelector('.composer-notice.refused', { timeout: 15_000 });
  });

  it('shows the reconnect countdown when the server dies and recovers without a reload', async () => {
    await account('ada', 'lovelace-1815');
    const page = await chromium.newPage();
    await page.goto(`${base}/#lobby`);
    await signInOverSocket(page, 'ada', 'lovelace-1815');
    await say(page, 'before the crash');
    await waitForMessage(page, 'ada', 'before the crash');
    // Marks this document: a reload would lose it.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    await demo.kill();
    await waitForPill(page, 'reconnecting');
    await page.waitForFunction(
      () => /Reconnecting in \d+ s/.test(document.querySelector('#connection')?.textContent ?? ''),
      undefined,
      {
        timeout: 30_000,
      },
    );
    await screenshot(page, '06-reconnecting');

    await demo.restart();
    await waitForPill(page, 'online');
    await waitForUser(page, 'ada');
    expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    await waitForMessage(page, 'ada', 'before the crash');
    await say(page, 'after the restart');
    await waitForMessage(page, 'ada', 'after the restart');
    await screenshot(page, '07-reconnected');
  });
});
