/**
 * R16 export, a data-subject access request (issue 9): `exports` records each one without content, like
 * `erasures` does: who asked (the member or the operator for them), for whom, when it started and when it
 * ended, how many synced messages and InMail messages it gave, from which organizations. An export whose
 * download broke off keeps `finished_at` null. The operator reads these with the erasures
 * (`GET /api/operator/audit`).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table exports (
      id uuid primary key default gen_random_uuid(),
      at timestamptz not null default now(),
      requested_by text not null check (requested_by in ('member', 'operator')),
      member_id uuid not null,
      finished_at timestamptz,
      org_ids uuid[] not null default '{}',
      messages integer,
      inmail_messages integer
    );
    create index exports_member on exports (member_id, at desc);
    create index exports_at on exports (at desc, id desc);
    create index erasures_at on erasures (at desc, id desc);
  `.execute(db);
}
