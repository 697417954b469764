/**
 * The history benchmark's data set (`bench/history.ts`), bulk-loaded with set-based SQL (`insert … select
 * generate_series`), never through the API: organizations whose users all have a connected Google mailbox,
 * a pool of members (most with few messages), threads of 1–20 messages with their `message_members` links,
 * R19 rows, and one member ("the target") with a planned share of mail in the viewer's organization.
 *
 * Rows are what sync would have written (`db/mail.ts` `storeMessage`, `sync/commit.ts`): threads created
 * with the first message's subject and `last_message_at` the newest message's time; messages with
 * participants as `{ address, name }` JSON, a snippet of at most 200 characters cut from the text, the
 * text itself (a few hundred bytes to about 4 KiB of words, so a full-text index has work), sanitized HTML
 * for some, attachment metadata for some; every message linked to the thread's candidate (and a cc'd second
 * candidate on a few threads). Random choices come from `setseed`, so a scale loads the same data each time.
 */
import type pg from 'pg';

export interface Scale {
  organizations: number;
  usersPerOrganization: number;
  /** Synced messages in all, the target's included. */
  messages: number;
  /** Members that have mail (the target excepted), and members with none. */
  members: number;
  idleMembers: number;
  decisions: number;
  /** The target's messages in the viewer's organization that the viewer may see: own, `organization`, `metadata`. */
  target: {
    own: number;
    shared: number;
    metadata: number;
    hidden: number;
    elsewhere: number;
    inmail: number;
  };
}

export const FULL: Scale = {
  organizations: 100,
  usersPerOrganization: 20,
  messages: 1_000_000,
  members: 200_000,
  idleMembers: 20_000,
  decisions: 100_000,
  target: { own: 2_000, shared: 2_000, metadata: 1_000, hidden: 1_500, elsewhere: 1_000, inmail: 100 },
};

export const QUICK: Scale = {
  organizations: 3,
  usersPerOrganization: 4,
  messages: 3_000,
  members: 600,
  idleMembers: 60,
  decisions: 300,
  target: { own: 60, shared: 60, metadata: 30, hidden: 45, elsewhere: 30, inmail: 5 },
};

export interface Loaded {
  viewer: { orgId: string; userId: string };
  targetMemberId: string;
  targetAddress: string;
  /** Seconds per step. */
  steps: { step: string; seconds: number }[];
}

export const FIRST =
  `Ada Alan Amara Ana Ben Bianca Carlos Chen Chloe Dana David Diego Elena Emma Farah Felix Grace Hana
 Hugo Ines Ivan Jana Jonas Julia Kai Kenji Lara Leo Lina Lucas Maya Marco Mia Nadia Nico Noah Olga Omar Paula
 Priya Rafael Rosa Sam Sara Sofia Tariq Tom Uma Vera Wei Yara Yusuf Zoe`.split(/\s+/);
export const LAST =
  `Abara Bauer Costa Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Larsen Moreau Nakamura
 Novak Okafor Petrov Quinn Rossi Santos Schmidt Silva Tanaka Ueda Varga Weber Xu Yilmaz Zhang Berg Cohen Dias
 Evans Fox Gupta Hill Khan Lopez Meyer Nguyen Olsen Park Reyes Singh Torres Walsh Young`.split(/\s+/);
export const ROLES =
  `Backend Engineer|Frontend Engineer|Data Scientist|Product Manager|Engineering Manager|Site Reliability
 Engineer|Product Designer|Security Engineer|Machine Learning Engineer|Mobile Developer|QA Lead|Solutions
 Architect|Technical Writer|Data Engineer|Platform Engineer|Staff Engineer`
    .split('|')
    .map((role) => role.replace(/\s+/g, ' ').trim());
export const SUBJECTS = [
  '%s role at our team',
  'Quick question about the %s opening',
  'Interview schedule: %s',
  'Your application for %s',
  'Following up: %s position',
  'Offer details for the %s role',
  'Coffee chat about a %s opportunity',
  'Take-home exercise for %s',
];
// Words of recruiting mail, so that bodies read like mail and a full-text index sees a real vocabulary.
export const WORDS =
  `the a to and of in for on with at from by about as your our we you I it this that is are be
 will would could should can may might have has had do does did not just also very really thanks thank hello
 hi best regards cheers kind looking forward hearing soon next week today tomorrow monday tuesday wednesday
 thursday friday morning afternoon call meeting interview schedule calendar invite time slot available
 availability confirm reschedule role position opening team company startup engineering product design data
 platform infrastructure backend frontend mobile cloud distributed systems kubernetes postgres python
 typescript rust golang java react scala kafka spark airflow terraform aws gcp azure security compliance
 salary compensation equity bonus benefits remote hybrid office relocation visa notice period start date
 offer contract full-time part-time senior staff principal lead manager director head of hiring recruiter
 candidate resume cv portfolio github linkedin profile experience years background skills project projects
 built shipped led scaled migrated designed mentored reviewed improved reduced latency throughput reliability
 customers users growth series funding round investors mission culture values onsite panel technical
 coding exercise take-home assignment feedback decision references background check paperwork signed
 excited happy glad sorry unfortunately however great interesting impressive strong fit match opportunity
 chat discuss share send attached please let me know if any questions further details information update
 status process stage step round final first second third quick short brief long detailed thoughts
 berlin london paris amsterdam lisbon madrid warsaw stockholm zurich dublin toronto austin seattle
 singapore tokyo remote-first timezone overlap async written communication collaboration ownership`.split(
    /\s+/,
  );

/** Loads the data set into an empty migrated database; `log` gets one line per step. */
export async function loadHistoryData(
  pool: pg.Pool,
  scale: Scale,
  searchLanguage: string,
  log: (line: string) => void,
): Promise<Loaded> {
  const client = await pool.connect();
  const steps: Loaded['steps'] = [];
  const step = async (name: string, text: string, values: unknown[] = []) => {
    const started = performance.now();
    const result = await client.query(text, values);
    const seconds = (performance.now() - started) / 1000;
    steps.push({ step: name, seconds });
    log(`  ${name}: ${seconds.toFixed(1)} s${result.rowCount ? ` (${result.rowCount} rows)` : ''}`);
    return result;
  };
  // Secondary indexes are built once after the rows are in, as a restore would, not row by row.
  const withoutIndexes = async (table: string, load: () => Promise<unknown>) => {
    const { rows } = await client.query<{ name: string; definition: string }>(
      `select i.relname as name, pg_get_indexdef(i.oid) as definition
       from pg_index x join pg_class i on i.oid = x.indexrelid
       where x.indrelid = $1::regclass and not exists (select 1 from pg_constraint c where c.conindid = i.oid)`,
      [table],
    );
    for (const row of rows) await client.query(`drop index ${row.name}`);
    await load();
    const started = performance.now();
    for (const row of rows) await client.query(row.definition);
    const seconds = (performance.now() - started) / 1000;
    steps.push({ step: `${table} indexes`, seconds });
    log(`  ${table} indexes (${rows.map((row) => row.name).join(', ')}): ${seconds.toFixed(1)} s`);
  };
  try {
    await client.query(`set synchronous_commit = off; set work_mem = '256MB';
      set maintenance_work_mem = '1GB'; set max_parallel_workers_per_gather = 0; select setseed(0.2026)`);
    const U = scale.usersPerOrganization;
    // Sentences to build bodies from: 50,000 at the full size; fewer for a quick run, which needs only a few.
    const sentences = Math.min(50_000, scale.messages * 2);
    const { own, shared, metadata, hidden, elsewhere } = scale.target;

    for (const [table, words] of [
      ['bench_words', WORDS],
      ['bench_first', FIRST],
      ['bench_last', LAST],
    ] as const)
      await client.query(
        `create unlogged table ${table} as select i::int as id, w from unnest($1::text[]) with ordinality u(w, i)`,
        [words],
      );
    await step(
      'vocabulary',
      `create unlogged table bench_sentences as
         select s as id, upper(left(string_agg(w.w, ' ' order by p.k), 1)) || substr(string_agg(w.w, ' ' order by p.k), 2) || '.' as body
         from (select s, k, 1 + floor(random() * ${WORDS.length})::int as wid
               from generate_series(0, ${sentences - 1}) s, generate_series(1, 6 + (s * 7) % 13) k) p
         join bench_words w on w.id = p.wid group by s;
       alter table bench_sentences add primary key (id)`,
    );

    await step(
      'organizations, users, mailboxes',
      `create unlogged table bench_orgs as
         select o as no, gen_random_uuid() as id, 'org' || o || '.example' as domain from generate_series(0, ${scale.organizations - 1}) o;
       insert into organizations (id, name, primary_domain, provider, created_at)
         select id, 'Organization ' || no, domain, 'google', now() - interval '500 days' from bench_orgs;
       create unlogged table bench_users as
         select o.no as org_no, u as user_no, o.id as org_id, gen_random_uuid() as id, gen_random_uuid() as connection_id,
           f.w || ' ' || l.w as name, lower(f.w) || '.' || lower(l.w) || u || '@' || o.domain as email
         from bench_orgs o, generate_series(0, ${U - 1}) u
         join bench_first f on f.id = 1 + (u * 7) % ${FIRST.length}
         join bench_last l on l.id = 1 + (u * 11 + 3) % ${LAST.length};
       insert into users (org_id, id, email, name, role, created_at)
         select org_id, id, email, name, case when user_no = 0 then 'admin' else 'member' end, now() - interval '500 days'
         from bench_users;
       insert into mailbox_connections (org_id, id, user_id, provider, address, status, provider_subject, scopes,
           authorized_at, status_changed_at, created_at)
         select org_id, connection_id, id, 'google', email, 'connected', 'bench-subject-' || org_no || '-' || user_no,
           array['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly'],
           now() - interval '450 days', now() - interval '450 days', now() - interval '450 days'
         from bench_users;
       insert into mailbox_sync (org_id, connection_id, cursor, last_sync_started_at, last_sync_succeeded_at,
           last_sync_duration_ms, push_expires_at)
         select org_id, connection_id, jsonb_build_object('historyId', (1000000 + org_no * 1000 + user_no)::text),
           now() - interval '1 minute', now() - interval '1 minute', 420, now() + interval '6 days'
         from bench_users`,
    );

    // Member 0 is the target; 1..members have mail; the idle ones none.
    await step(
      'members',
      `create unlogged table bench_members as
         select n as no, gen_random_uuid() as id, f.w || ' ' || l.w as name,
           lower(f.w) || '.' || lower(l.w) || '.' || n || '@' || (array['mail.example', 'inbox.example', 'post.example', 'candidates.example'])[1 + n % 4] as email
         from generate_series(0, ${scale.members + scale.idleMembers}) n
         join bench_first f on f.id = 1 + (n * 13) % ${FIRST.length}
         join bench_last l on l.id = 1 + (n * 17 + n / ${FIRST.length}) % ${LAST.length};
       alter table bench_members add primary key (no);
       insert into members (id, external_id, name, headline, discoverability, discoverability_changed_at, created_at, updated_at)
         select id, 'bench-' || no, name, 'Engineer',
           case when no <= ${scale.members} then 'anyone' else (array['anyone', 'connections', 'nobody'])[1 + no % 3] end,
           now() - interval '480 days', now() - interval '480 days', now() - interval '480 days'
         from bench_members;
       insert into member_emails (normalized, member_id, address, position, created_at)
         select email, id, email, 0, now() - interval '480 days' from bench_members`,
    );

    // The thread plan: who owns each thread, its candidate, its size and visibility; each group is cut
    // at its number of messages (the last thread shortened to fit).
    await client.query(`create unlogged table bench_plan (
        n bigserial primary key, grp text, org_no int, user_no int, member_no int, member2_no int,
        cc_colleague boolean, size int, visibility text, gap interval, start_at timestamptz)`);
    const mixed = `case when random() < 0.8 then 'private' when random() < 0.5 then 'metadata' else 'organization' end`;
    const short = `(array[1, 1, 2, 3, 1, 2, 4, 1, 2, 2])[1 + (g % 10)]`; // the target's: many short exchanges
    const realistic = `least(20, 1 + floor(20 * power(random(), 3))::int)`; // 1–20, median 3
    const colleague = `1 + (1 + g % ${U - 2})`; // users 2.., never the viewer (user 1)
    const groups = [
      { grp: 'own', messages: own, org: '0', user: '1', member: '0', size: short, visibility: mixed },
      {
        grp: 'shared',
        messages: shared,
        org: '0',
        user: colleague,
        member: '0',
        size: short,
        visibility: `'organization'`,
      },
      {
        grp: 'metadata',
        messages: metadata,
        org: '0',
        user: colleague,
        member: '0',
        size: short,
        visibility: `'metadata'`,
      },
      {
        grp: 'hidden',
        messages: hidden,
        org: '0',
        user: colleague,
        member: '0',
        size: short,
        visibility: `'private'`,
      },
      {
        grp: 'elsewhere',
        messages: elsewhere,
        org: `1 + g % ${Math.min(10, scale.organizations - 1)}`,
        user: `(g / 7) % ${U}`,
        member: '0',
        size: short,
        visibility: mixed,
      },
      {
        grp: 'pool',
        messages: scale.messages - own - shared - metadata - hidden - elsewhere,
        org: `floor(random() * ${scale.organizations})::int`,
        user: `floor(${U} * power(random(), 1.3))::int`,
        // Most members have few messages: a long tail with a few busy ones.
        member: `1 + floor(${scale.members} * power(random(), 1.5))::int`,
        size: realistic,
        visibility: mixed,
      },
    ];
    const planStarted = performance.now();
    for (const group of groups) {
      await client.query(
        `with g as (
           select g, ${group.org} as org_no, ${group.user} as user_no, ${group.member} as member_no,
             case when random() < 0.03 then 1 + floor(random() * ${scale.members})::int end as member2_no,
             random() < 0.1 as cc_colleague, ${group.size} as size, ${group.visibility} as visibility,
             interval '20 minutes' + random() * interval '2 days' as gap, random() as age
           from generate_series(1, ${group.messages}) g),
         c as (select *, sum(size) over (order by g) as upto from g)
         insert into bench_plan (grp, org_no, user_no, member_no, member2_no, cc_colleague, size, visibility, gap, start_at)
         select $1, org_no, user_no, member_no, member2_no, cc_colleague, least(size, $2 - (upto - size)), visibility, gap,
           now() - least(size, $2 - (upto - size)) * gap - age * interval '365 days' - interval '1 hour'
         from c where upto - size < $2 order by g`,
        [group.grp, group.messages],
      );
    }
    steps.push({ step: 'thread plan', seconds: (performance.now() - planStarted) / 1000 });
    log(`  thread plan: ${((performance.now() - planStarted) / 1000).toFixed(1)} s`);

    // One row per message, in the order sync would have written them (received time).
    await step(
      'message skeletons',
      `create unlogged table bench_skel_unordered as
         select p.n as thread_n, i, p.size, gen_random_uuid() as id,
           p.start_at + (i - 1) * p.gap + ((p.n * 31 + i * 17) % 600) * interval '1 second' as received_at,
           (p.n * 7919 + i * 104729) % 2147483647 as seed
         from bench_plan p, generate_series(1, p.size) i;
       create unlogged table bench_skel as select * from bench_skel_unordered order by received_at;
       drop table bench_skel_unordered`,
    );

    await step(
      'threads',
      `create unlogged table bench_threads as
         select p.*, gen_random_uuid() as id, lpad(to_hex(p.n * 48271 + 1099511627776), 16, '0') as provider_thread_id,
           replace((array[${SUBJECTS.map((s) => `'${s}'`).join(', ')}])[1 + p.n % ${SUBJECTS.length}], '%s',
             (array[${ROLES.map((r) => `'${r}'`).join(', ')}])[1 + (p.n / 7) % ${ROLES.length}]) as subject,
           o.id as org_id, u.id as user_id, u.connection_id, u.name as user_name, u.email as user_email,
           c.id as colleague_id, c.name as colleague_name, c.email as colleague_email,
           m.id as member_id, m.name as member_name, m.email as member_email,
           m2.id as member2_id, m2.name as member2_name, m2.email as member2_email
         from bench_plan p
         join bench_orgs o on o.no = p.org_no
         join bench_users u on u.org_no = p.org_no and u.user_no = p.user_no
         join bench_users c on c.org_no = p.org_no and c.user_no = (p.user_no + 1) % ${U}
         join bench_members m on m.no = p.member_no
         left join bench_members m2 on m2.no = p.member2_no and p.member2_no <> p.member_no;
       alter table bench_threads add primary key (n);
       insert into threads (org_id, id, connection_id, owner_user_id, provider_thread_id, visibility, subject,
           last_message_at, created_at)
         select t.org_id, t.id, t.connection_id, t.user_id, t.provider_thread_id, t.visibility, t.subject,
           s.last_at, s.first_at
         from bench_threads t
         join (select thread_n, max(received_at) as last_at, min(received_at) as first_at from bench_skel group by thread_n) s
           on s.thread_n = t.n
         order by s.first_at`,
    );

    // Odd messages come from the candidate, even ones are the recruiter's replies.
    await withoutIndexes('messages', () =>
      step(
        'messages',
        `insert into messages (org_id, id, thread_id, connection_id, provider_message_id, rfc_message_id, in_reply_to,
           "references", direction, from_address, to_addresses, cc_addresses, bcc_addresses, subject, sent_at,
           received_at, snippet, body_text, body_html, attachments, truncated, created_at)
       select t.org_id, x.id, t.id, t.connection_id,
         lpad(to_hex(x.thread_n * 64 + x.i + 281474976710656), 16, '0'),
         '<' || md5(x.thread_n || '.' || x.i) || '@mail.gmail.com>',
         case when x.i > 1 then '<' || md5(x.thread_n || '.' || (x.i - 1)) || '@mail.gmail.com>' end,
         case when x.i = 1 then '{}'::text[] when x.i = 2 then array['<' || md5(x.thread_n || '.1') || '@mail.gmail.com>']
           else array['<' || md5(x.thread_n || '.1') || '@mail.gmail.com>', '<' || md5(x.thread_n || '.' || (x.i - 1)) || '@mail.gmail.com>'] end,
         case when x.i % 2 = 1 then 'received' else 'sent' end,
         case when x.i % 2 = 1 then jsonb_build_object('address', t.member_email, 'name', t.member_name)
           else jsonb_build_object('address', t.user_email, 'name', t.user_name) end,
         jsonb_build_array(case when x.i % 2 = 1 then jsonb_build_object('address', t.user_email, 'name', t.user_name)
           else jsonb_build_object('address', t.member_email, 'name', t.member_name) end),
         case when t.member2_id is not null then jsonb_build_array(jsonb_build_object('address', t.member2_email, 'name', t.member2_name))
           when t.cc_colleague then jsonb_build_array(jsonb_build_object('address', t.colleague_email, 'name', t.colleague_name))
           else '[]'::jsonb end,
         '[]'::jsonb,
         case when x.i = 1 then t.subject else 'Re: ' || t.subject end,
         x.received_at - interval '3 seconds', x.received_at,
         case when length(b.flat) > 200 then left(b.flat, 199) || '…' else b.flat end,
         b.text,
         case when x.seed % 5 < 2 then '<div dir="ltr"><p>' || replace(b.text, E'\\n\\n', '</p><p>') || '</p></div>' end,
         case when x.seed % 10 = 0 then jsonb_build_array(jsonb_build_object('filename', 'CV ' || t.member_name || '.pdf',
           'contentType', 'application/pdf', 'size', 40000 + x.seed % 400000, 'disposition', 'attachment'))
           else '[]'::jsonb end,
         false, x.received_at + interval '5 seconds'
       from bench_skel x
       join bench_threads t on t.n = x.thread_n
       cross join lateral (
         select body.text, regexp_replace(left(body.text, 400), '\\s+', ' ', 'g') as flat from (
           select 'Hi ' || split_part(case when x.i % 2 = 1 then t.user_name else t.member_name end, ' ', 1) || E',\\n\\n'
             || (select string_agg(s.body, case when k % 4 = 0 then E'\\n\\n' else ' ' end order by k)
                 from generate_series(1, 2 + floor(40 * power((x.seed % 1000) / 1000.0, 2))::int) k
                 join bench_sentences s on s.id = (x.seed + k * 7919) % ${sentences})
             || E'\\n\\n-- \\n' || case when x.i % 2 = 1 then t.member_name else t.user_name end as text) body) b`,
      ),
    );

    await withoutIndexes('message_members', () =>
      step(
        'message_members',
        `insert into message_members (org_id, message_id, member_id, thread_id)
         select t.org_id, x.id, t.member_id, t.id from bench_skel x join bench_threads t on t.n = x.thread_n
         union all
         select t.org_id, x.id, t.member2_id, t.id from bench_skel x join bench_threads t on t.n = x.thread_n
         where t.member2_id is not null`,
      ),
    );

    // What `db/search.ts` indexMessage writes for each stored message (after its member links), set-based.
    const people = (addresses: string) => `coalesce((
           select string_agg(concat_ws(' ', a->>'name', a->>'address', split_part(a->>'address', '@', 2)), ' ')
           from jsonb_array_elements(${addresses}) a), '')`;
    await withoutIndexes('message_search', () =>
      step(
        'message_search',
        `insert into message_search (org_id, message_id, thread_id, received_at, words, people, member_ids)
         select m.org_id, m.id, m.thread_id, m.received_at,
           to_tsvector($1::regconfig, m.subject || ' ' || left(m.body_text, 65536))
             || to_tsvector('simple'::regconfig, ${people('m.bcc_addresses')}),
           to_tsvector('simple'::regconfig, ${people(`case when m.from_address is null then '[]'::jsonb else jsonb_build_array(m.from_address) end
             || m.to_addresses || m.cc_addresses`)}),
           array(select mm.member_id from message_members mm where mm.org_id = m.org_id and mm.message_id = m.id)
         from messages m`,
        [searchLanguage],
      ),
    );

    await step(
      'R19 decisions, InMail, counters',
      `insert into sync_decisions (org_id, connection_id, provider_message_id, rfc_message_id_hash, rule, decided_at)
         select u.org_id, u.connection_id, lpad(to_hex(d + 562949953421312), 16, '0'),
           sha256(convert_to('<' || md5('decided.' || d) || '@mail.example>', 'UTF8')),
           (array['no_member', 'no_member', 'no_member', 'no_member', 'no_member', 'no_member', 'no_member',
                  'internal_only', 'internal_only', 'before_authorization'])[1 + d % 10],
           now() - (d % 90) * interval '1 day'
         from generate_series(1, ${scale.decisions}) d
         join bench_users u on u.org_no = d % ${scale.organizations} and u.user_no = (d / ${scale.organizations}) % ${U};
       create unlogged table bench_inmail as
         select c, gen_random_uuid() as id, u.org_id, u.id as user_id, 1 + c % 5 as size,
           now() - random() * interval '300 days' as start_at
         from generate_series(1, ${scale.target.inmail}) c
         join bench_users u on u.org_no = 0 and u.user_no = 1 + c % ${U - 1};
       insert into inmail_conversations (org_id, id, user_id, member_id, subject, created_at, last_message_at)
         select i.org_id, i.id, i.user_id, m.id, 'InMail: ' || (array[${ROLES.map((r) => `'${r}'`).join(', ')}])[1 + c % ${ROLES.length}],
           i.start_at, i.start_at + (i.size - 1) * interval '1 day'
         from bench_inmail i, bench_members m where m.no = 0;
       insert into inmail_messages (org_id, conversation_id, sender, user_id, body, created_at)
         select i.org_id, i.id, case when k % 2 = 1 then 'user' else 'member' end,
           case when k % 2 = 1 then i.user_id end, s.body || ' ' || s2.body, i.start_at + (k - 1) * interval '1 day'
         from bench_inmail i, generate_series(1, i.size) k
         join bench_sentences s on s.id = (k * 31) % ${sentences}
         join bench_sentences s2 on s2.id = (k * 17 + 5) % ${sentences};
       update mailbox_sync s set messages_synced = c.n
         from (select connection_id, count(*) as n from messages group by connection_id) c
         where c.connection_id = s.connection_id`,
    );

    const viewer = await client.query<{ org_id: string; id: string }>(
      'select org_id, id from bench_users where org_no = 0 and user_no = 1',
    );
    const target = await client.query<{ id: string; email: string }>(
      'select id, email from bench_members where no = 0',
    );
    for (const table of [
      'bench_words',
      'bench_first',
      'bench_last',
      'bench_sentences',
      'bench_orgs',
      'bench_users',
      'bench_members',
      'bench_plan',
      'bench_skel',
      'bench_threads',
      'bench_inmail',
    ])
      await client.query(`drop table ${table}`);
    // What autovacuum would have done on a database that grew to this size: statistics and the visibility map.
    const vacuumStarted = performance.now();
    await client.query('vacuum (analyze)');
    steps.push({ step: 'vacuum analyze', seconds: (performance.now() - vacuumStarted) / 1000 });
    log(`  vacuum analyze: ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);
    const [viewerRow] = viewer.rows;
    const [targetRow] = target.rows;
    if (!viewerRow || !targetRow) throw new Error('the load made no viewer or target');
    return {
      viewer: { orgId: viewerRow.org_id, userId: viewerRow.id },
      targetMemberId: targetRow.id,
      targetAddress: targetRow.email,
      steps,
    };
  } finally {
    client.release();
  }
}
