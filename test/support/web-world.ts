/**
 * The world the browser tests share: the demo as `npm start` sets it up (its people on the provider sandbox,
 * both providers configured against the sandbox, the app serving the web app on a known port), and the
 * helpers to walk it in a real browser: signing in through the demo's picker, a person's page that fails
 * on a script error and whose `snap` saves a screenshot and runs axe-core, connecting through the
 * sandbox's consent page, and a candidate page's timeline entries.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEMO_CLIENTS, DEMO_SSO, prepareSandbox, seedDemo } from '../../src/cli/demo.ts';
import { findMemberIdByEmail } from '../../src/db/members.ts';
import { normalizeEmail } from '../../src/domain/email.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import type { Provider } from '../../src/providers/types.ts';
import { runSync } from '../../src/services/sync.ts';
import { testApp } from './app.ts';
import { consent } from './browser.ts';
import { onCleanup } from './cleanup.ts';
import { eventually, pushConfig, pushingSandbox } from './live.ts';
import { freePort } from './port.ts';
import { testSandbox } from './sandbox.ts';
import { readEvent } from './scheduling.ts';
import { chromiumPath, launchBrowser, screenshotFolder, seriousViolations } from './web-browser.ts';

export const executable = chromiumPath();
export const skip = executable ? false : 'Chromium is not installed (apt-get install chromium)';

export const REX = 'rex@acme.example';
export const GRACE = 'grace.candidate@gmail.com';

export interface WebWorldOptions {
  /**
   * As `npm start` runs it: the sandbox pushing to the app (Gmail through Pub/Sub push, Graph through
   * change notifications), the worker running, and the demo's sandbox mail panel. Without it nothing syncs
   * by itself: the test calls `syncAll`.
   */
  live?: boolean;
  /** The organization's provider, switched to by the admin through the API (the demo starts on Google). */
  provider?: Provider;
  /** Rex's mailbox connected (through the API and the sandbox's consent), so a test can start from there. */
  rexConnected?: boolean;
}

export type WebWorld = Awaited<ReturnType<typeof webWorld>>;

export async function webWorld(options: WebWorldOptions = {}) {
  const provider = options.provider ?? 'google';
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  const sandbox = options.live ? await pushingSandbox(publicUrl) : await testSandbox();
  await prepareSandbox(sandbox.url, publicUrl);
  const testing = await testApp({
    web: true,
    demo: true,
    ...(options.live ? { demoSandboxUrl: sandbox.url } : {}),
    config: {
      publicUrl,
      sso: { ...DEMO_SSO, issuer: `${sandbox.url}/google` },
      google: {
        ...DEMO_CLIENTS.google,
        issuer: `${sandbox.url}/google`,
        apiRoot: `${sandbox.url}/google`,
        push: options.live ? pushConfig(sandbox.url, publicUrl) : undefined,
      },
      microsoft: {
        ...DEMO_CLIENTS.microsoft,
        loginUrl: `${sandbox.url}/microsoft/login`,
        graphUrl: `${sandbox.url}/microsoft/graph`,
        tenant: 'common',
      },
    },
  });
  const lines = (await seedDemo(testing.context, sandbox.url)).join('\n');
  const tokenOf = (email: string) => new RegExp(`${email}\\s+token (\\S+)`).exec(lines)?.[1] ?? '';
  const tokens = { ada: tokenOf('ada@acme.example'), rex: tokenOf(REX), cleo: tokenOf('cleo@acme.example') };
  await testing.app.listen({ port: Number(new URL(publicUrl).port), host: '127.0.0.1' });
  // The browser's keep-alive connections must not hold the app's close.
  onCleanup(() => testing.app.server.closeAllConnections());
  if (options.live) {
    const runner = await startWorker(
      testing.database.pool,
      testing.context,
      { pollQuietMs: 3_600_000, decisionTtlMs: 30 * 86_400_000 },
      2,
    );
    onCleanup(() => runner.stop());
  }

  const asRex = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, status = 200) => {
    const answer = await testing.call(tokens.rex, method, url, body);
    assert.equal(answer.statusCode, status, `${method} ${url}: ${answer.body}`);
    return answer.json();
  };
  if (provider !== 'google') {
    const set = await testing.call(tokens.ada, 'PATCH', '/api/organization', { provider });
    assert.equal(set.statusCode, 200, set.body);
  }
  if (options.rexConnected) {
    const { url } = await asRex('POST', '/api/connection', undefined, 201);
    const connected = await consent(testing.app, url, { token: tokens.rex, email: REX, decision: 'allow' });
    assert.equal(connected.status, 200, connected.html);
  }
  const graceId = await findMemberIdByEmail(testing.database.db, normalizeEmail(GRACE));
  assert.ok(graceId, 'the demo seeds Grace');

  const mailbox = (on: Provider) => `/${on}/mailboxes/${REX}`;
  return {
    ...testing,
    sandbox,
    publicUrl,
    graceId,
    /** The demo people's API tokens. */
    tokens,
    /** Calls the API as Rex and asserts the status. */
    asRex,
    /** What the worker would do on a push: sync every connected mailbox until caught up. */
    syncAll: async () => {
      const connections = await testing.database.db
        .selectFrom('mailbox_connections')
        .select(['org_id', 'id'])
        .where('status', '=', 'connected')
        .execute();
      for (const connection of connections) {
        for (let run = 0; run < 5; run += 1) await runSync(testing.context, connection.org_id, connection.id);
      }
    },
    /** Waits until a mailbox's first sync has succeeded (with `live`, the worker runs it). */
    firstSync: () =>
      eventually(async () => {
        const sync = await testing.database.db
          .selectFrom('mailbox_sync')
          .select('last_sync_succeeded_at')
          .executeTakeFirst();
        return sync?.last_sync_succeeded_at ?? undefined;
      }, 60_000),
    /** Delivers `message` to Rex's sandbox mailbox (at the world's provider unless `on` says otherwise). */
    deliver: (message: Record<string, unknown>, on: Provider = provider) =>
      sandbox.control.post<{ id: string }>(`${mailbox(on)}/deliver`, message),
    /** The events of Rex's sandbox calendar. */
    events: async () => {
      const { events } = await sandbox.control.get<{ events: Record<string, unknown>[] }>(
        `${mailbox(provider)}/calendar/events`,
      );
      return events.map((event) => readEvent(provider, event));
    },
    /** Makes Rex busy from `start` to `end` in his sandbox calendar. */
    busy: (start: string, end: string) =>
      sandbox.control.post(`${mailbox(provider)}/calendar/busy`, { start, end }),
  };
}

/** Chromium for this file's tests, closed when they are done. */
export function openBrowser(): Promise<Browser> {
  return launchBrowser(executable as string);
}

/** Fails the test if `page` has a serious or critical axe-core violation. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const violations = await seriousViolations(page);
  assert.deepEqual(
    violations.map(
      (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
    [],
    `axe on ${what}`,
  );
}

/**
 * Watches `page`: its script errors are collected, its main frame's navigations counted, and `snap(name)`
 * saves a screenshot in `shots` (named `prefix-name`) and asserts no serious or critical axe violation.
 */
export function watch(page: Page, shots: string, prefix?: string) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  const snap = async (name: string) => {
    const named = prefix ? `${prefix}-${name}` : name;
    await page.screenshot({ path: path.join(shots, `${named}.png`), fullPage: true });
    await assertAccessible(page, named);
  };
  return { page, errors, shots, snap, navigations: () => navigations };
}

export interface PersonOptions {
  /** The screenshots' folder (by default a fresh one). */
  shots?: string;
  /** What the screenshots' names start with. */
  prefix?: string;
  timezoneId?: string;
  /** The viewport's width (1280 by default), 900 high. */
  width?: number;
}

/** One person's browser (their own cookies) on a watched page. */
export async function person(browser: Browser, options: PersonOptions = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  return watch(await context.newPage(), options.shots ?? screenshotFolder(), options.prefix);
}

/** A browser of its own with one person's page on it; the test prints where the screenshots are. */
export async function browserPage(t: TestContext, options: PersonOptions = {}) {
  const who = await person(await openBrowser(), options);
  t.diagnostic(`screenshots: ${who.shots}`);
  return who;
}

/** Signs in through the demo picker as `name` (the sign-in page must be showing). */
export async function pickPerson(page: Page, name: string) {
  await page.getByRole('heading', { name: 'Demo: sign in as' }).waitFor();
  await page.getByRole('button', { name }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Opens the app signed out and signs in as `name`. */
export async function signInAs(page: Page, publicUrl: string, name: string) {
  await page.goto(`${publicUrl}/`);
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await pickPerson(page, name);
}

/** Signs out (waiting until the app shows its sign-in page, so no navigation cuts the request off). */
export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
}

/**
 * From My integration, through the start link's page and the sandbox's consent page (as the provider's
 * would be), to the result page; then its link back into the app.
 */
export async function connectThroughConsent(page: Page, address: string) {
  await page.getByRole('link', { name: 'My integration' }).click();
  await page.getByRole('button', { name: /^(Connect|Reconnect) my mailbox$/ }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  // Google's consent page asks for the "Account", Microsoft's whom to "Sign in as".
  await page.getByLabel('Account').or(page.getByLabel('Sign in as')).fill(address);
  await page.getByRole('button', { name: /Allow|Accept/ }).click();
  await page.getByRole('heading', { name: 'Mailbox connected' }).waitFor();
  await page.getByRole('link', { name: 'Back to My integration in talentsync' }).click();
  await page.getByRole('heading', { name: 'My integration' }).waitFor();
}

/** The candidate page's timeline entry whose title is `title`. */
export function entry(page: Page, title: string): Locator {
  return page.locator('.timeline > li.entry', {
    has: page.getByRole('heading', { name: title, exact: true }),
  });
}
