import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../src/log.ts';
import type { Provider } from '../../src/providers/types.ts';
import { runCli } from '../support/cli.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const lines: string[] = [];
const t = await providerTest({
  logger: createLogger('info', {
    write: (line: string) => {
      lines.push(line);
    },
  }),
});

/** Every candidate address the scenario below handles; none may reach a log line or the CLI's output. */
const CANDIDATE = 'log.candidate@people.example';
const HIDDEN = 'log.hidden@people.example';
const STRANGER = 'log.stranger@people.example';
const IMPORTED = 'log.imported@people.example';
const ADDRESSES = [CANDIDATE, HIDDEN, STRANGER, IMPORTED];

function assertNoAddress(text: string, where: string): void {
  for (const address of ADDRESSES) {
    for (const form of [address, address.split('@')[0] ?? address, encodeURIComponent(address)]) {
      assert.ok(!text.toLowerCase().includes(form), `${where} mentions ${form}:\n${text}`);
    }
  }
}

describe('hardening: candidate addresses are not logged at info level', () => {
  it('hardening: a lookup, a sync with its R19 answers, and an import log ids, never addresses', async () => {
    await t.member({ emails: [CANDIDATE] });
    await t.member({ emails: [HIDDEN], discoverability: 'nobody' });

    const { recruiter } = await t.organization();
    for (const address of [CANDIDATE, HIDDEN, STRANGER]) {
      await t.call(recruiter.token, 'GET', `/api/members/lookup?email=${encodeURIComponent(address)}`);
    }
    assert.ok(
      lines.some((line) => line.includes('/api/members/lookup')),
      'the lookups were logged, without their query',
    );

    for (const provider of ['google', 'microsoft'] satisfies Provider[]) {
      const box = await connectedMailbox(t, provider, `logs-${provider}.example`);
      const delivered = [];
      for (const from of [CANDIDATE, HIDDEN, STRANGER]) {
        delivered.push(
          await box.deliver({
            from: { address: from },
            to: [{ address: box.recruiter.email }],
            subject: 'Hello',
            text: 'x',
          }),
        );
      }
      await box.sync();
      assert.equal((await box.threads()).length, 1, 'the candidate’s mail synced');
      for (const message of delivered) {
        const why = await t.call(
          box.recruiter.token,
          'GET',
          `/api/sync/why?providerMessageId=${encodeURIComponent(message.id)}`,
        );
        assert.equal(why.statusCode, 200);
      }
    }

    const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-logs-'));
    const file = path.join(dir, 'members.jsonl');
    const records = [
      { name: 'Imported', emails: [IMPORTED], discoverability: 'anyone' },
      { name: 'Two people', emails: [CANDIDATE, HIDDEN], discoverability: 'anyone' },
      { name: 'Bad', emails: ['log.stranger@'], discoverability: 'anyone' },
    ];
    writeFileSync(file, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    const imported = await runCli(['member', 'import', file], {
      DATABASE_URL: t.database.url,
      DATA_DIR: path.join(dir, 'data'),
      LOG_LEVEL: 'info',
    });
    assert.equal(imported.code, 1, 'two lines were refused');
    assert.match(imported.stderr, /^line 2: emails\.0: belongs to another member\nline 3: emails\.0: /);
    assertNoAddress(imported.stdout + imported.stderr, 'member import');

    assert.ok(lines.length > 10, 'the app logged at info level');
    assertNoAddress(lines.join(''), 'the app log');
  });

  it('hardening: request lines keep no query string, and database errors none of the row values PostgreSQL quotes', async () => {
    const { recruiter } = await t.organization();
    lines.splice(0);
    const messageId = encodeURIComponent(`<${CANDIDATE}>`);
    await t.call(recruiter.token, 'GET', `/api/sync/why?messageId=${messageId}`);
    assert.ok(
      lines.some((line) => line.includes('/api/sync/why')),
      'the request was logged',
    );
    assertNoAddress(lines.join(''), 'an R19 lookup by Message-ID');

    const db = t.database.db;
    await sql`create table log_probe (address text unique)`.execute(db);
    await sql`insert into log_probe values (${CANDIDATE})`.execute(db);
    const refused = await sql`insert into log_probe values (${CANDIDATE})`
      .execute(db)
      .catch((error) => error);
    assert.match(String(refused.detail), /already exists/, 'PostgreSQL quoted the row in its detail');
    const logged: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void logged.push(line) });
    logger.error({ err: refused }, 'unhandled error');
    assert.match(logged.join(''), /"code":"23505"/, 'the error is still logged, by code');
    assertNoAddress(logged.join(''), 'a logged database error');
  });
});
