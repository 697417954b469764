import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { connect } from '../../src/db/database.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { createLogger } from '../../src/log.ts';
import { onCleanup } from '../support/cleanup.ts';
import { withDatabase } from '../support/global-setup.ts';

/** An empty database (not the migrated template), dropped when the file is done. */
async function emptyDatabase(): Promise<string> {
  const serverUrl = process.env.TALENTSYNC_TEST_SERVER_URL;
  if (!serverUrl) throw new Error('run tests with `npm test` (its global setup starts the database server)');
  const name = `talentsync_test_${randomBytes(6).toString('hex')}`;
  const onServer = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await onServer(`create database ${name}`);
  onCleanup(() => onServer(`drop database if exists ${name} with (force)`));
  return withDatabase(serverUrl, name);
}

describe('migration 0008 (search)', () => {
  it('R15: indexes the mail stored before it: words, participants and linked members', async () => {
    const connection = connect(await emptyDatabase(), createLogger('silent'), { max: 2 });
    onCleanup(() => connection.close());
    const { db } = connection;
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableName: 'schema_migrations',
      migrationLockTableName: 'schema_migrations_lock',
    });
    assert.equal((await migrator.migrateTo('0007_erasure')).error, undefined);
    const { rows } = await sql<{ message: string; member: string }>`
      with org as (insert into organizations (name, primary_domain) values ('Org', 'org.example') returning id),
      u as (insert into users (org_id, email, name, role) select id, 'rex@org.example', 'Rex', 'member' from org
            returning org_id, id),
      c as (insert into mailbox_connections (org_id, user_id, provider, address, status, provider_subject, authorized_at)
            select org_id, id, 'google', 'rex@org.example', 'connected', 'rex', now() from u returning org_id, id, user_id),
      t as (insert into threads (org_id, connection_id, owner_user_id, provider_thread_id, subject)
            select org_id, id, user_id, 'thread-1', 'Interview' from c returning org_id, id, connection_id),
      m as (insert into messages (org_id, thread_id, connection_id, provider_message_id, direction, from_address,
              to_addresses, bcc_addresses, subject, received_at, body_text)
            select org_id, id, connection_id, 'message-1', 'received',
              '{"name": "Ada Lovelace", "address": "ada@candidates.example"}', '[{"address": "rex@org.example"}]',
              '[{"address": "hidden@elsewhere.example"}]', 'Interview tomorrow', now(), 'About the analytical engine'
            from t returning org_id, id),
      mb as (insert into members (name, discoverability) values ('Ada', 'anyone') returning id),
      mm as (insert into message_members (org_id, message_id, member_id) select m.org_id, m.id, mb.id from m, mb
             returning message_id, member_id)
      select message_id as message, member_id as member from mm`.execute(db);
    const stored = rows[0];
    assert.ok(stored);

    assert.equal((await migrator.migrateTo('0008_search')).error, undefined);
    const match = async (condition: string) =>
      (
        await sql<{ n: number }>`select count(*)::int as n from message_search
          where message_id = ${stored.message} and ${sql.raw(condition)}`.execute(db)
      ).rows[0]?.n;
    assert.equal(await match(`words @@ to_tsquery('simple', 'interview & analytical')`), 1);
    assert.equal(await match(`people @@ to_tsquery('simple', 'ada & lovelace')`), 1);
    assert.equal(await match(`people @@ plainto_tsquery('simple', 'ada@candidates.example')`), 1);
    assert.equal(await match(`people @@ plainto_tsquery('simple', 'org.example')`), 1);
    assert.equal(await match(`people @@ to_tsquery('simple', 'engine')`), 0, 'words are not participants');
    // Bcc is content (R15): among the words, never among the participants a metadata viewer may search.
    assert.equal(await match(`words @@ plainto_tsquery('simple', 'hidden@elsewhere.example')`), 1);
    assert.equal(await match(`people @@ plainto_tsquery('simple', 'hidden@elsewhere.example')`), 0);
    assert.equal(await match(`member_ids = array['${stored.member}']::uuid[]`), 1);
  });
});
