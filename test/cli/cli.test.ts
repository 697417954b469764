import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';

const t = await testApp();
const env = {
  DATABASE_URL: t.database.url,
  DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'talentsync-cli-')),
};

describe('the talentsync CLI', () => {
  it('lists every command in its help', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const command of [
      'start',
      'api',
      'worker',
      'migrate',
      'org create',
      'user create',
      'member import',
      'sandbox',
    ]) {
      assert.ok(help.stdout.includes(command), `help mentions ${command}`);
    }
  });

  it('creates an organization and a user whose printed token works on /api/me', async () => {
    const org = await runCli(['org', 'create', '--name', 'Globex', '--domain', 'Globex.example'], env);
    assert.equal(org.code, 0, org.stderr);
    assert.match(org.stdout, /^organization [0-9a-f-]{36} created: Globex \(globex\.example\)\n$/);

    const user = await runCli(
      [
        'user',
        'create',
        '--org',
        'globex.example',
        '--email',
        'Hank@Globex.example',
        '--name',
        'Hank',
        '--role',
        'admin',
      ],
      env,
    );
    assert.equal(user.code, 0, user.stderr);
    const token = user.stdout.trim().split('\n').at(-1) ?? '';
    assert.match(token, /^tsu_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const me = await t.call(token, 'GET', '/api/me');
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().user.email, 'hank@globex.example');
    assert.equal(me.json().organization.name, 'Globex');
  });

  it('explains a mistake in one line: unknown organization, bad role, duplicate user', async () => {
    const unknown = await runCli(
      ['user', 'create', '--org', 'nope.example', '--email', 'a@b.example', '--name', 'A'],
      env,
    );
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'talentsync: no organization has the id or domain "nope.example"\n');

    const role = await runCli(
      ['user', 'create', '--org', 'x', '--email', 'a@b.example', '--name', 'A', '--role', 'boss'],
      env,
    );
    assert.equal(role.code, 2);
    assert.match(role.stderr, /--role must be admin or member/);

    await runCli(['org', 'create', '--name', 'Dup', '--domain', 'dup.example'], env);
    const args = ['user', 'create', '--org', 'dup.example', '--email', 'd@dup.example', '--name', 'D'];
    assert.equal((await runCli(args, env)).code, 0);
    const again = await runCli(args, env);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'talentsync: a user with email d@dup.example already exists\n');
  });

  it('imports members from JSON Lines, reporting bad lines by number and importing the good ones', async () => {
    const file = path.join(env.DATA_DIR, 'members.jsonl');
    const lines = [
      JSON.stringify({ name: 'Ann', emails: ['ann@one.example'], discoverability: 'anyone' }),
      '{not json',
      JSON.stringify({ name: 'Bob', emails: ['bob@one.example'], discoverability: 'sometimes' }),
      '',
      JSON.stringify({ name: 'Cy', emails: ['cy@one.example', 'CY@one.example'], discoverability: 'nobody' }),
      JSON.stringify({ name: 'Ann Updated', emails: ['ann@one.example'], discoverability: 'connections' }),
      JSON.stringify({ emails: ['nameless@one.example'], discoverability: 'anyone' }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runCli(['member', 'import', file], env);
    assert.equal(result.code, 1, 'refused lines make the exit code 1');
    assert.equal(
      result.stderr,
      [
        'line 2: not valid JSON',
        'line 3: discoverability: must be one of anyone, connections, nobody',
        'line 7: name: is required',
        '',
      ].join('\n'),
    );
    assert.match(
      result.stdout,
      /^7 lines in [\d.]+ s: 2 members created, 1 updated, 3 lines refused, 1 blank lines skipped\n$/,
    );

    const operator = await t.operator();
    const lookup = await t.call(
      (await t.organization()).recruiter.token,
      'GET',
      '/api/members/lookup?email=ann@one.example',
    );
    assert.equal(lookup.statusCode, 404, 'Ann is now discoverable by connections only');
    const cy = await runCli(['member', 'token', '--email', 'cy@one.example'], env);
    const cyMe = (await t.call(cy.stdout.trim().split('\n').at(-1), 'GET', '/api/me')).json();
    assert.deepEqual(cyMe.member.emails, ['cy@one.example']);
    assert.ok(operator);
  });

  it('hardening: org create and user create refuse a blank or invisible name (a usage error, exit code 2)', async () => {
    for (const name of ['   ', '\u200B\u200B', '\u202Eemca', '\u3164']) {
      const org = await runCli(['org', 'create', '--name', name, '--domain', 'invisible.example'], env);
      assert.equal(org.code, 2, JSON.stringify(name));
      assert.match(org.stderr, /^talentsync: name: must /, JSON.stringify(name));
    }
    const created = await runCli(
      ['org', 'create', '--name', '  Name   Corp ', '--domain', 'names.example'],
      env,
    );
    assert.match(created.stdout, /created: Name Corp \(names\.example\)/, 'a good name is stored normalized');
    for (const name of ['\t ', '\u2060', 'Ann\u200B']) {
      const args = ['user', 'create', '--org', 'names.example', '--email', 'u@names.example', '--name', name];
      const user = await runCli(args, env);
      assert.equal(user.code, 2, JSON.stringify(name));
      assert.match(user.stderr, /^talentsync: name: must /, JSON.stringify(name));
    }
  });

  it('hardening: member import reports a line PostgreSQL could not store by number and imports the rest of its batch', async () => {
    const file = path.join(env.DATA_DIR, 'refused.jsonl');
    const record = (i: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        name: `R ${i}`,
        emails: [`r${i}@refused.example`],
        discoverability: 'anyone',
        ...extra,
      });
    const lines = [record(1), record(2, { name: '   ' }), record(3, { headline: 'x\u0000' }), record(4)];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runCli(['member', 'import', file], env);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'line 2: name: must not be empty or whitespace only\n' +
        'line 3: headline: must not contain NUL characters or unpaired surrogates\n',
    );
    assert.match(result.stdout, /: 2 members created, 0 updated, 2 lines refused\n$/);
  });

  it('hardening: talentsync sandbox is refused with NODE_ENV=production, in one line, exit code 2', {
    timeout: 30_000,
  }, async () => {
    const result = await runCli(['sandbox', '--port', '0'], { NODE_ENV: 'production' });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'talentsync: the provider sandbox is for development and tests; it does not run with NODE_ENV=production\n',
    );
    assert.equal(result.stdout, '');
  });

  it('refuses a file it cannot read', async () => {
    const result = await runCli(['member', 'import', '/nonexistent/members.jsonl'], env);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'talentsync: cannot read /nonexistent/members.jsonl: no such file\n');
  });

  it('issues an operator token that can feed the directory', async () => {
    const result = await runCli(['operator', 'token'], env);
    assert.equal(result.code, 0, result.stderr);
    const token = result.stdout.trim().split('\n').at(-1);
    const put = await t.call(token, 'PUT', '/api/members', {
      name: 'Fed',
      emails: ['fed@one.example'],
      discoverability: 'anyone',
    });
    assert.equal(put.statusCode, 201);
  });
});
