/// <reference types="node" />
/**
 * Driving the chat page the way a person does (the dialog, the composer, the buttons) and
 * waiting on what the page shows (`body[data-user]`, the connection pill's `data-state`, the
 * timeline), each wait bounded and saying what it waited for.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';

/** Generous for two busy cores; a healthy page answers in milliseconds. */
export const PAGE_WAIT_MS = 15_000;

/** Named screenshots of the main states, for people to look at (gitignored). */
export const screensDir = 'test-artifacts/screens';

export type PillState = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'signed-out';

async function waitFor(page: Page, what: string, selector: string): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout: PAGE_WAIT_MS, state: 'attached' });
  } catch (error) {
    const pill = await page.textContent('#connection').catch(() => 'unavailable');
    const user = await page.getAttribute('body', 'data-user').catch(() => 'unavailable');
    throw new Error(`waited ${PAGE_WAIT_MS} ms for ${what} (pill: ${pill}, user: ${user})`, {
      cause: error,
    });
  }
}

/** Waits until the page shows `username` signed in, or (null) a guest. */
export function waitForUser(page: Page, username: string | null): Promise<void> {
  return waitFor(
    page,
    `the page to show ${username ?? 'a guest'}`,
    `body[data-user="${username ?? ''}"]`,
  );
}

export function waitForPill(page: Page, state: PillState): Promise<void> {
  return waitFor(page, `the connection pill to be ${state}`, `#connection[data-state="${state}"]`);
}

/** Waits for a message from `from` saying `text` in the timeline. */
export function waitForMessage(page: Page, from: string, text: string): Promise<void> {
  return waitFor(
    page,
    `${from}'s message "${text}"`,
    `.message[data-from="${from}"] p:text-is("${text}"), .message.continued[data-from="${from}"] p:text-is("${text}")`,
  );
}

export function waitForPresence(page: Page, name: string): Promise<void> {
  return waitFor(page, `${name} in the room's presence list`, `#presence li[data-name="${name}"]`);
}

/** Creates an account with the HTML form: a real POST, a 303, and the page loads again. */
export async function signUpWithForm(
  page: Page,
  username: string,
  password: string,
): Promise<void> {
  await page.click('#card-signup');
  await page.fill('#signup-form input[name=username]', username);
  await page.fill('#signup-form input[name=password]', password);
  await Promise.all([
    page.waitForNavigation({ timeout: PAGE_WAIT_MS }),
    page.click('#signup-form button[type=submit]'),
  ]);
  await waitForUser(page, username);
}

/** Signs in with the dialog's WebSocket option: `client.login`, no page load. */
export async function signInOverSocket(
  page: Page,
  username: string,
  password: string,
): Promise<void> {
  await page.click('#card-signin');
  await page.fill('#signin-form input[name=username]', username);
  await page.fill('#signin-form input[name=password]', password);
  await page.check('#signin-form input[value=socket]');
  await page.click('#signin-form button[type=submit]');
  await waitForUser(page, username);
}

export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#message', text);
  await page.press('#message', 'Enter');
}

/** Saves `test-artifacts/screens/<name>.png`, with toasts' entry animations settled. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screensDir, { recursive: true });
  await page.screenshot({ path: `${screensDir}/${name}.png`, animations: 'disabled' });
}
