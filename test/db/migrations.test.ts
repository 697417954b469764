import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrations } from '../../src/db/migrations/index.ts';
import { runCli } from '../support/cli.ts';
import { testDatabase } from '../support/database.ts';

const database = await testDatabase();

/** Tables that belong to the platform rather than to one organization. */
const PLATFORM_TABLES = new Set([
  'members',
  'member_emails',
  'access_tokens',
  // A browser session is a user's or a member's, like an access token.
  'sessions',
  // R16: a member's erasures, exports and suppressed addresses span every organization, like the member.
  'erasures',
  'exports',
  'suppressions',
  'schema_migrations',
  'schema_migrations_lock',
]);

describe('migrations', () => {
  it('have all been applied to a new database, in order', async () => {
    const applied = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(
      database.db,
    );
    assert.deepEqual(
      applied.rows.map((row) => row.name),
      Object.keys(migrations).sort(),
    );
  });

  it('run again through `talentsync migrate` as a no-op', async () => {
    const result = await runCli(['migrate'], { DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'database is up to date\n');
  });

  it('give every organization-owned table an org_id leading its primary key', async () => {
    const tables = await sql<{ table_name: string; key: string[] }>`
      select c.relname as table_name,
             array(select a.attname from unnest(i.indkey) with ordinality k(attnum, n)
                   join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum order by k.n)::text[] as key
      from pg_class c join pg_namespace ns on ns.oid = c.relnamespace and ns.nspname = 'public'
      join pg_index i on i.indrelid = c.oid and i.indisprimary
      where c.relkind = 'r'`.execute(database.db);
    const owned = tables.rows.filter(
      (row) => !PLATFORM_TABLES.has(row.table_name) && row.table_name !== 'organizations',
    );
    assert.ok(owned.length >= 3, 'there are organization-owned tables');
    for (const row of owned)
      assert.equal(row.key[0], 'org_id', `${row.table_name} primary key starts with org_id`);
  });

  it("refuse a row that points into another organization's user", async () => {
    const orgs = await sql<{ id: string }>`
      insert into organizations (name, primary_domain) values ('A', 'a.example'), ('B', 'b.example') returning id`.execute(
      database.db,
    );
    const [a, b] = orgs.rows.map((row) => row.id);
    const user = await sql<{ id: string }>`
      insert into users (org_id, email, name, role) values (${b}, 'u@b.example', 'U', 'member') returning id`.execute(
      database.db,
    );
    const member = await sql<{ id: string }>`
      insert into members (name, discoverability) values ('M', 'anyone') returning id`.execute(database.db);
    await assert.rejects(
      sql`insert into inmail_conversations (org_id, user_id, member_id, subject)
          values (${a}, ${user.rows[0]?.id}, ${member.rows[0]?.id}, 'S')`.execute(database.db),
      /foreign key/,
    );
  });
});
