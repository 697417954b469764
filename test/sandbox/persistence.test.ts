import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { restoreSnapshot, takeSnapshot } from '../../src/sandbox/persistence.ts';
import { startSandbox } from '../../src/sandbox/server.ts';
import { controlClient } from '../support/sandbox.ts';
import { CLIENT, GMAIL_READONLY, signIn as googleSignIn, newUser, REDIRECT } from './google/helpers.ts';
import { APP, signIn as microsoftSignIn, refreshTokens } from './microsoft/helpers.ts';

const folder = () => mkdtempSync(path.join(os.tmpdir(), 'talentsync-sandbox-state-'));

async function sandboxOn(file: string) {
  const sandbox = await startSandbox({ port: 0, stateFile: file });
  return { ...sandbox, control: controlClient(sandbox.url) };
}

async function gmail(base: string, token: string, url: string) {
  const response = await fetch(`${base}/gmail/v1/users/me/${url}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function googleRefresh(base: string, refreshToken: string) {
  const response = await fetch(`${base}/google/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    }),
  });
  return { status: response.status, body: (await response.json()) as { access_token?: string } };
}

describe('the sandbox keeps its state in a file across a restart', () => {
  it('keeps users, mail, labels, grants, tokens and signing keys, and goes on from there', async () => {
    const file = path.join(folder(), 'sandbox-state.json');
    const first = await sandboxOn(file);
    assert.deepEqual(first.restored, { restored: false });
    await first.control.post('/google/clients', { ...CLIENT, redirectUris: [REDIRECT] });
    const email = await newUser(first);
    const google = await googleSignIn(first, email, ['openid', 'email', GMAIL_READONLY]);
    const base = `/google/mailboxes/${email}`;
    const kept = await first.control.post<{ id: string }>(`${base}/deliver`, {
      from: { address: 'grace@candidates.example' },
      to: [{ address: email }],
      subject: 'kept',
      text: 'stays',
    });
    const trashed = await first.control.post<{ id: string }>(`${base}/deliver`, {
      from: { address: 'grace@candidates.example' },
      to: [{ address: email }],
      subject: 'trashed',
      text: 'in the bin',
    });
    await first.control.post(`${base}/messages/${trashed.id}/trash`);
    const profileBefore = await gmail(first.url, google.access_token, 'profile');

    await first.control.post('/microsoft/clients', APP);
    const rex = 'rex@contoso.example';
    await first.control.post('/microsoft/users', { email: rex, name: 'Rex' });
    const microsoft = await microsoftSignIn(first, rex);
    await first.control.post(`/microsoft/mailboxes/${rex}/deliver`, {
      from: { address: 'alan@candidates.example' },
      to: [{ address: rex }],
      subject: 'graph kept',
      text: 'stays too',
    });
    await first.close();
    assert.ok(existsSync(file), 'saved on close');

    const second = await sandboxOn(file);
    try {
      assert.deepEqual(second.restored, { restored: true });
      // Google: the old access token, a refresh with the old refresh token, the mail and its labels.
      const list = await gmail(second.url, google.access_token, 'messages?includeSpamTrash=true');
      assert.equal(list.status, 200);
      const ids = (list.body.messages as { id: string }[]).map((message) => message.id).sort();
      assert.deepEqual(ids, [kept.id, trashed.id].sort());
      const bin = await gmail(second.url, google.access_token, `messages/${trashed.id}?format=minimal`);
      assert.ok((bin.body.labelIds as string[]).includes('TRASH'));
      const refreshed = await googleRefresh(second.url, google.refresh_token ?? '');
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal((await gmail(second.url, refreshed.body.access_token ?? '', 'profile')).status, 200);
      // The id_token signed before the restart verifies against the keys published after it.
      const jwks = (await (await fetch(`${second.url}/google/oauth2/v3/certs`)).json()) as JSONWebKeySet;
      await jwtVerify(google.id_token ?? '', createLocalJWKSet(jwks), { audience: CLIENT.clientId });
      // History goes on from where it was: a new delivery gets a later history id and its own message id.
      const next = await second.control.post<{ id: string }>(`${base}/deliver`, {
        from: { address: 'grace@candidates.example' },
        to: [{ address: email }],
        subject: 'after the restart',
        text: 'new',
      });
      assert.ok(![kept.id, trashed.id].includes(next.id));
      const profileAfter = await gmail(second.url, google.access_token, 'profile');
      assert.ok(Number(profileAfter.body.historyId) > Number(profileBefore.body.historyId));
      const history = await gmail(
        second.url,
        google.access_token,
        `history?startHistoryId=${profileBefore.body.historyId}`,
      );
      assert.equal(history.status, 200, 'a cursor from before the restart still reads history');

      // Microsoft: the rotated refresh token, Graph, and the mailbox's folders with their mail.
      const graphTokens = await refreshTokens(second, microsoft.refresh_token ?? '');
      const messages = await fetch(`${second.url}/microsoft/graph/v1.0/me/messages?$select=subject`, {
        headers: { authorization: `Bearer ${graphTokens.access_token}` },
      });
      assert.equal(messages.status, 200, await messages.clone().text());
      const subjects = ((await messages.json()) as { value: { subject: string }[] }).value.map(
        (m) => m.subject,
      );
      assert.deepEqual(subjects, ['graph kept']);
      await second.control.post(`/microsoft/mailboxes/${rex}/deliver`, {
        from: { address: 'alan@candidates.example' },
        to: [{ address: rex }],
        subject: 'graph new',
        text: 'after',
      });
      const after = await fetch(`${second.url}/microsoft/graph/v1.0/me/messages?$select=subject`, {
        headers: { authorization: `Bearer ${graphTokens.access_token}` },
      });
      assert.equal(((await after.json()) as { value: unknown[] }).value.length, 2);
    } finally {
      await second.close();
    }
  });

  it('reports a corrupt file in words, sets it aside and starts empty', async () => {
    const dir = folder();
    const file = path.join(dir, 'sandbox-state.json');
    writeFileSync(file, '{"format": "talentsync-sandbox-state", "version": 1, "roots": {');
    const sandbox = await sandboxOn(file);
    try {
      assert.equal(sandbox.restored.restored, false);
      assert.match(sandbox.restored.problem ?? '', /could not be read .*moved to .*starts empty/);
      assert.ok(!existsSync(file));
      assert.equal(readdirSync(dir).filter((name) => name.includes('.unreadable-')).length, 1);
      const created = await fetch(`${sandbox.url}/_sandbox/google/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'new@acme.example', name: 'New' }),
      });
      assert.equal(created.status, 201, 'the sandbox works, empty');
    } finally {
      await sandbox.close();
    }
  });

  it('saves shortly after a change, atomically, without waiting for close', async () => {
    const file = path.join(folder(), 'sandbox-state.json');
    const sandbox = await sandboxOn(file);
    try {
      await sandbox.control.post('/google/users', { email: 'soon@acme.example', name: 'Soon' });
      const deadline = Date.now() + 5000;
      while (!existsSync(file) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(existsSync(file), 'written within seconds of the change');
      assert.deepEqual(
        readdirSync(path.dirname(file)).filter((name) => name.endsWith('.tmp')),
        [],
        'no temporary file left behind',
      );
    } finally {
      await sandbox.close();
    }
  });
});

describe('snapshots are generic over plain data', () => {
  it('round-trips Maps, Sets, Dates, Buffers, odd numbers, shared references and cycles into live objects', () => {
    const shared: { name: string; self?: unknown } = { name: 'shared' };
    shared.self = shared;
    const source = {
      map: new Map<string, unknown>([
        ['a', shared],
        ['b', { when: new Date('2026-12-02T10:00:00Z'), raw: Buffer.from('hi') }],
      ]),
      set: new Set(['x', 'y']),
      list: [shared, undefined, Number.NaN, -0, Number.POSITIVE_INFINITY, 10n],
      method: () => 'not data',
    };
    const snapshot = JSON.parse(JSON.stringify(takeSnapshot({ root: source }, new Set())));
    const captured = new Map<string, unknown>();
    const live = {
      map: captured,
      set: new Set<string>(),
      list: [] as unknown[],
      added: 'fresh default',
      method: () => 'live',
    };
    restoreSnapshot({ root: live }, new Set(), snapshot);
    assert.equal(live.map, captured, 'the live Map is filled in place');
    const a = live.map.get('a') as typeof shared;
    assert.equal(a.self, a, 'a cycle comes back as a cycle');
    assert.equal(live.list[0], a, 'a shared object comes back shared');
    const b = live.map.get('b') as { when: Date; raw: Buffer };
    assert.equal(b.when.toISOString(), '2026-12-02T10:00:00.000Z');
    assert.equal(b.raw.toString(), 'hi');
    assert.deepEqual([...live.set], ['x', 'y']);
    assert.equal(live.list[1], undefined);
    assert.ok(Number.isNaN(live.list[2]));
    assert.ok(Object.is(live.list[3], -0));
    assert.equal(live.list[4], Number.POSITIVE_INFINITY);
    assert.equal(live.list[5], 10n);
    assert.equal(live.added, 'fresh default', 'a field the snapshot lacks keeps its default');
    assert.equal(live.method(), 'live', 'methods are never written');
  });

  it('leaves configuration alone and refuses a file that is not a snapshot', () => {
    const options = { port: 1 };
    const snapshot = JSON.parse(
      JSON.stringify(takeSnapshot({ root: { options, data: [1] } }, new Set([options]))),
    );
    const liveOptions = { port: 2 };
    const live = { options: liveOptions, data: [] as number[] };
    restoreSnapshot({ root: live }, new Set([liveOptions]), snapshot);
    assert.equal(live.options.port, 2);
    assert.deepEqual(live.data, [1]);
    assert.throws(
      () => restoreSnapshot({ root: live }, new Set(), { hello: 1 } as never),
      /not a sandbox state file/,
    );
  });
});
