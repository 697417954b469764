/**
 * The candidate's side in a real browser (R16, R18): the demo's people on the provider sandbox, listening on
 * a known port, with Rex's mailbox connected on `provider`, and helpers to act as Rex through the API, so a
 * browser test drives only the candidate's pages.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEMO_CLIENTS, DEMO_SSO, prepareSandbox, seedDemo } from '../../src/cli/demo.ts';
import { findMemberIdByEmail } from '../../src/db/members.ts';
import { normalizeEmail } from '../../src/domain/email.ts';
import type { Provider } from '../../src/providers/types.ts';
import { runSync } from '../../src/services/sync.ts';
import { testApp } from './app.ts';
import { consent } from './browser.ts';
import { onCleanup } from './cleanup.ts';
import { testSandbox } from './sandbox.ts';
import { readEvent } from './scheduling.ts';
import { screenshotFolder, seriousViolations } from './web-browser.ts';

export const REX = 'rex@acme.example';
export const GRACE = 'grace.candidate@gmail.com';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function memberWorld(provider: Provider) {
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
  const lines = (await seedDemo(testing.context, sandbox.url)).join('\n');
  const tokenOf = (email: string) => new RegExp(`${email}\\s+token (\\S+)`).exec(lines)?.[1] ?? '';
  const admin = tokenOf('ada@acme.example');
  const rex = tokenOf(REX);
  await testing.app.listen({ port: Number(new URL(publicUrl).port), host: '127.0.0.1' });
  onCleanup(() => testing.app.server.closeAllConnections());

  const asRex = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, status = 200) => {
    const answer = await testing.call(rex, method, url, body);
    assert.equal(answer.statusCode, status, `${method} ${url}: ${answer.body}`);
    return answer.json();
  };
  if (provider !== 'google') {
    const set = await testing.call(admin, 'PATCH', '/api/organization', { provider });
    assert.equal(set.statusCode, 200, set.body);
  }
  const { url } = await asRex('POST', '/api/connection', undefined, 201);
  const connected = await consent(testing.app, url, { token: rex, email: REX, decision: 'allow' });
  assert.equal(connected.status, 200, connected.html);
  const graceId = await findMemberIdByEmail(testing.database.db, normalizeEmail(GRACE));
  assert.ok(graceId, 'the demo seeds Grace');

  const calendar = `/${provider}/mailboxes/${REX}/calendar`;
  return {
    ...testing,
    sandbox,
    publicUrl,
    graceId,
    asRex,
    /** What the worker would do on a push: sync Rex's mailbox until caught up. */
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
    deliver: (message: Record<string, unknown>) =>
      sandbox.control.post(`/${provider}/mailboxes/${REX}/deliver`, message),
    events: async () => {
      const { events } = await sandbox.control.get<{ events: Record<string, unknown>[] }>(
        `${calendar}/events`,
      );
      return events.map((event) => readEvent(provider, event));
    },
    busy: (start: string, end: string) => sandbox.control.post(`${calendar}/busy`, { start, end }),
  };
}

/** A page that records its script errors, with a screenshot-and-axe step per page it reaches. */
export async function candidatePage(browser: Browser, options: { timezoneId?: string } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const shots = screenshotFolder();
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
  return { page, errors, shots, snap };
}

/** Signs in through the demo picker as `name` (the sign-in page must be showing). */
export async function pickPerson(page: Page, name: string) {
  await page.getByRole('heading', { name: 'Demo: sign in as' }).waitFor();
  await page.getByRole('button', { name }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
