/**
 * The rough edges a newcomer met trying the CLI (issue 13): each says what is wrong and what to do,
 * and exits 2 for a usage or configuration mistake, 1 for a failure.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';

const t = await testApp();
const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-newcomer-'));
const env = { DATABASE_URL: t.database.url, DATA_DIR: dir };

describe('a CLI a newcomer trusts', () => {
  it('org create refuses a domain an organization already uses, so user create --org <domain> keeps working', async () => {
    const first = await runCli(['org', 'create', '--name', 'Initech', '--domain', 'initech.example'], env);
    assert.equal(first.code, 0, first.stderr);
    const second = await runCli(['org', 'create', '--name', 'Initech 2', '--domain', 'Initech.Example'], env);
    assert.equal(second.code, 1);
    assert.equal(second.stderr, 'talentsync: an organization already uses the domain initech.example\n');
    const rows = await t.database.db
      .selectFrom('organizations')
      .select('id')
      .where('primary_domain', '=', 'initech.example')
      .execute();
    assert.equal(rows.length, 1, 'no second organization was made');
    const user = await runCli(
      ['user', 'create', '--org', 'initech.example', '--email', 'p@initech.example', '--name', 'Peter'],
      env,
    );
    assert.equal(user.code, 0, user.stderr);
  });

  it('a bad --domain or --name is a usage error: exit code 2, the reason in one line', async () => {
    const domain = await runCli(['org', 'create', '--name', 'Bad', '--domain', 'not a domain'], env);
    assert.equal(domain.code, 2);
    assert.equal(domain.stderr, 'talentsync: domain "not a domain" is not a domain name\n');
    const missingOption = await runCli(['org', 'create', '--name', 'No domain'], env);
    assert.equal(missingOption.code, 2);
    assert.match(missingOption.stderr, /required option '--domain <domain>' not specified/);
  });

  it('member import counts blank lines apart, lists the allowed discoverability values, and names a line that is not an object', async () => {
    const file = path.join(dir, 'newcomer.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ name: 'Ann', emails: ['ann@newcomer.example'], discoverability: 'anyone' }),
        '',
        '   ',
        JSON.stringify({ name: 'Bob', emails: ['bob@newcomer.example'], discoverability: 'public' }),
        JSON.stringify([{ name: 'Cy', emails: ['cy@newcomer.example'], discoverability: 'anyone' }]),
        '"just a string"',
        '',
      ].join('\n'),
    );
    const result = await runCli(['member', 'import', file], env);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      [
        'line 4: discoverability: must be one of anyone, connections, nobody',
        'line 5: (record): must be one JSON object {"name", "emails", …}, got an array',
        'line 6: (record): must be one JSON object {"name", "emails", …}, got a string',
        '',
      ].join('\n'),
    );
    assert.match(
      result.stdout,
      /^6 lines in [\d.]+ s: 1 members created, 0 updated, 3 lines refused, 2 blank lines skipped\n$/,
      'every line is accounted for: 1 + 0 + 3 + 2 = 6',
    );
  });

  it('member import says why a file cannot be read, with exit code 2', async () => {
    const missing = await runCli(['member', 'import', path.join(dir, 'nope.jsonl')], env);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `talentsync: cannot read ${path.join(dir, 'nope.jsonl')}: no such file\n`);
    const folder = path.join(dir, 'a-folder');
    mkdirSync(folder);
    const directory = await runCli(['member', 'import', folder], env);
    assert.equal(directory.code, 2);
    assert.equal(directory.stderr, `talentsync: cannot read ${folder}: it is a directory\n`);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.jsonl');
      writeFileSync(locked, '');
      chmodSync(locked, 0o000);
      const denied = await runCli(['member', 'import', locked], env);
      assert.equal(denied.code, 2);
      assert.equal(denied.stderr, `talentsync: cannot read ${locked}: permission denied\n`);
    }
  });

  it('SANDBOX_PORT is validated like every other variable (exit code 2, the variable named)', async () => {
    for (const args of [['sandbox'], ['start', '--demo']]) {
      const result = await runCli(args, { ...env, SANDBOX_PORT: 'abc' });
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, 'talentsync: SANDBOX_PORT must be an integer from 0 to 65535, got "abc"\n');
    }
    const flag = await runCli(['sandbox', '--port', '70000'], env);
    assert.equal(flag.code, 2);
    assert.equal(flag.stderr, 'talentsync: --port must be an integer from 0 to 65535, got "70000"\n');
  });

  it('a port in use says which variable picks another (exit code 2)', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const api = await runCli(['api'], { ...env, PORT: String(port), HOST: '127.0.0.1' });
      assert.equal(api.code, 2, api.stderr);
      assert.match(
        api.stderr,
        new RegExp(
          `talentsync: port ${port} is already in use: stop what listens there, or set PORT to a free port\n$`,
        ),
      );
      const sandbox = await runCli(['sandbox'], { ...env, SANDBOX_PORT: String(port) });
      assert.equal(sandbox.code, 2, sandbox.stderr);
      assert.match(sandbox.stderr, /or set SANDBOX_PORT to a free port\n$/);
    } finally {
      taken.close();
    }
  });
});
