/**
 * The demo world the admin and integration browser tests share: the demo's people on the provider
 * sandbox with both providers configured, the app listening on a known port, a browser page that fails
 * the test on a script error, and a `snap` that saves a screenshot and runs axe-core on the page.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_CLIENTS, DEMO_SSO, prepareSandbox, seedDemo } from '../../src/cli/demo.ts';
import { runSync } from '../../src/services/sync.ts';
import { testApp } from '../support/app.ts';
import { onCleanup } from '../support/cleanup.ts';
import { testSandbox } from '../support/sandbox.ts';
import { chromiumPath, launchBrowser, screenshotFolder, seriousViolations } from '../support/web-browser.ts';

export const executable = chromiumPath();
export const skip = executable ? false : 'Chromium is not installed (apt-get install chromium)';

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function demoWorld() {
  const sandbox = await testSandbox();
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  await prepareSandbox(sandbox.url, publicUrl);
  const testing = await testApp({
    web: true,
    demo: true,
    config: {
      publicUrl,
      sso: { ...DEMO_SSO, issuer: `${sandbox.url}/google` },
      google: {
        ...DEMO_CLIENTS.google,
        issuer: `${sandbox.url}/google`,
        apiRoot: `${sandbox.url}/google`,
        push: undefined,
      },
      microsoft: {
        ...DEMO_CLIENTS.microsoft,
        loginUrl: `${sandbox.url}/microsoft/login`,
        graphUrl: `${sandbox.url}/microsoft/graph`,
        tenant: 'common',
      },
    },
  });
  await seedDemo(testing.context, sandbox.url);
  await testing.app.listen({ port: Number(new URL(publicUrl).port), host: '127.0.0.1' });
  onCleanup(() => testing.app.server.closeAllConnections());
  /** What the worker would do on a push: sync every connected mailbox until caught up. */
  const syncAll = async () => {
    const connections = await testing.database.db
      .selectFrom('mailbox_connections')
      .select(['org_id', 'id'])
      .where('status', '=', 'connected')
      .execute();
    for (const connection of connections) {
      for (let run = 0; run < 5; run += 1) await runSync(testing.context, connection.org_id, connection.id);
    }
  };
  return { ...testing, sandbox, publicUrl, syncAll };
}

/** A fresh browser page; `snap(name)` saves a screenshot and asserts no serious or critical axe violation. */
export async function browserPage(t: TestContext) {
  const shots = screenshotFolder();
  t.diagnostic(`screenshots: ${shots}`);
  const browser = await launchBrowser(executable as string);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const snap = async (name: string) => {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
    const violations = await seriousViolations(page);
    assert.deepEqual(
      violations.map(
        (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
      ),
      [],
      `axe on ${name}`,
    );
  };
  return { page, snap, pageErrors };
}

export async function signInAs(page: Page, publicUrl: string, name: string) {
  await page.goto(`${publicUrl}/`);
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await page.getByRole('button', { name }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

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
