import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { buildApp } from '../../src/http/app.ts';
import { testApp } from '../support/app.ts';
import { onCleanup } from '../support/cleanup.ts';

const t = await testApp();
const operator = await t.operator();
const { recruiter } = await t.organization();

/** Every statement sent through `db` (its text and how many parameters), in order. */
function recordingDatabase() {
  const statements: string[] = [];
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: t.database.pool }),
    log: (event) => {
      statements.push(`${event.query.sql} -- ${event.query.parameters.length} parameters`);
    },
  });
  return { db, statements };
}

/** The same API over a database that records statements, to compare the work two calls cause. */
const recorded = recordingDatabase();
const recordingApp = await buildApp({ context: { ...t.context, db: recorded.db } });
onCleanup(() => recordingApp.close());

async function traced(token: string, method: InjectOptions['method'], url: string, body?: unknown) {
  recorded.statements.length = 0;
  const response = await recordingApp.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
  });
  return {
    status: response.statusCode,
    body: response.body,
    contentType: response.headers['content-type'],
    statements: [...recorded.statements],
  };
}

describe('member directory', () => {
  it('lets the operator create a member, then update it by externalId or by any address', async () => {
    const created = await t.call(operator, 'PUT', '/api/members', {
      externalId: 'ext-1',
      name: 'Jane Candidate',
      headline: 'Engineer',
      emails: ['Jane.Candidate@gmail.com', 'jane@work.example'],
      discoverability: 'anyone',
    });
    assert.equal(created.statusCode, 201);
    const id = created.json().id;
    assert.deepEqual(created.json().emails, ['Jane.Candidate@gmail.com', 'jane@work.example']);

    const byExternalId = await t.call(operator, 'PUT', '/api/members', {
      externalId: 'ext-1',
      name: 'Jane C.',
      emails: ['jane@work.example'],
      discoverability: 'connections',
    });
    assert.equal(byExternalId.statusCode, 200);
    assert.equal(byExternalId.json().id, id);
    assert.equal(byExternalId.json().headline, 'Engineer', 'an omitted headline is kept');
    assert.deepEqual(
      byExternalId.json().emails,
      ['jane@work.example'],
      'the listed addresses replace the old ones',
    );

    const byEmail = await t.call(operator, 'PUT', '/api/members', {
      name: 'Jane Again',
      emails: ['JANE@work.example'],
      discoverability: 'anyone',
    });
    assert.equal(byEmail.json().id, id);
  });

  it('refuses to give one address to two members (R10 needs one owner per address)', async () => {
    const a = { externalId: 'a', name: 'A', emails: ['shared@x.example'], discoverability: 'anyone' };
    const b = { externalId: 'b', name: 'B', emails: ['b@x.example'], discoverability: 'anyone' };
    assert.equal((await t.call(operator, 'PUT', '/api/members', a)).statusCode, 201);
    assert.equal((await t.call(operator, 'PUT', '/api/members', b)).statusCode, 201);
    const claimed = await t.call(operator, 'PUT', '/api/members', {
      ...b,
      emails: ['b@x.example', 'Shared@x.example'],
    });
    assert.equal(claimed.statusCode, 409);
    assert.equal(claimed.json().error.message, 'emails.1: belongs to another member');
    const merged = await t.call(operator, 'PUT', '/api/members', {
      name: 'AB',
      emails: ['b@x.example', 'shared@x.example'],
      discoverability: 'anyone',
    });
    assert.equal(merged.statusCode, 409, 'addresses of two members cannot merge them');
  });

  it('names the field at fault in a bad record', async () => {
    const response = await t.call(operator, 'PUT', '/api/members', {
      name: 'Bad',
      emails: ['not-an-address'],
      discoverability: 'everyone',
    });
    assert.equal(response.statusCode, 400);
    const { error } = response.json();
    assert.equal(error.code, 'validation_failed');
    assert.ok(
      error.details.some((d: { field: string }) => d.field === 'discoverability'),
      JSON.stringify(error),
    );
  });

  it('R10: a recruiter finds a member by email only when discoverability is anyone, with normalization', async () => {
    const open = await t.member({ emails: ['open.member+jobs@googlemail.com'], discoverability: 'anyone' });
    const found = await t.call(recruiter.token, 'GET', '/api/members/lookup?email=OpenMember@gmail.com');
    assert.equal(found.statusCode, 200);
    assert.deepEqual(Object.keys(found.json()).sort(), ['headline', 'id', 'name']);
    assert.equal(found.json().id, open.id);

    for (const discoverability of ['connections', 'nobody'] as const) {
      const hidden = await t.member({ emails: [`hidden-${discoverability}@mail.example`], discoverability });
      const response = await t.call(recruiter.token, 'GET', `/api/members/lookup?email=${hidden.emails[0]}`);
      assert.equal(response.statusCode, 404, discoverability);
      const unknown = await t.call(
        recruiter.token,
        'GET',
        '/api/members/lookup?email=nobody-at-all@mail.example',
      );
      assert.deepEqual(response.json(), unknown.json(), 'a hidden member looks exactly like no member');
    }
  });

  it('shows recruiters a profile without addresses or settings, and the operator everything', async () => {
    const member = await t.member({ emails: ['profile@mail.example'] });
    const asRecruiter = (await t.call(recruiter.token, 'GET', `/api/members/${member.id}`)).json();
    assert.deepEqual(asRecruiter, { id: member.id, name: 'Test Candidate', headline: '' });
    const asOperator = (await t.call(operator, 'GET', `/api/members/${member.id}`)).json();
    assert.deepEqual(asOperator.emails, ['profile@mail.example']);
    assert.equal(asOperator.discoverability, 'anyone');
  });

  it('R16: lets a member change their own discoverability; each time they set it is their consent anew', async () => {
    const member = await t.member({ discoverability: 'anyone' });
    const before = (await t.call(member.token, 'GET', '/api/me')).json().member;
    const profile = await t.call(member.token, 'PATCH', '/api/me', { headline: 'Hello' });
    assert.equal(profile.json().member.discoverabilityChangedAt, before.discoverabilityChangedAt);
    const same = await t.call(member.token, 'PATCH', '/api/me', { discoverability: 'anyone' });
    assert.ok(
      new Date(same.json().member.discoverabilityChangedAt) > new Date(before.discoverabilityChangedAt),
    );
    const changed = await t.call(member.token, 'PATCH', '/api/me', {
      discoverability: 'nobody',
      headline: 'Open to work',
    });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.json().member.discoverability, 'nobody');
    assert.equal(changed.json().member.headline, 'Open to work');
    assert.ok(
      new Date(changed.json().member.discoverabilityChangedAt) > new Date(before.discoverabilityChangedAt),
    );
    const lookup = await t.call(recruiter.token, 'GET', `/api/members/lookup?email=${member.emails[0]}`);
    assert.equal(lookup.statusCode, 404);
  });

  it('does not let a recruiter set member-only settings on themself', async () => {
    const response = await t.call(recruiter.token, 'PATCH', '/api/me', { discoverability: 'anyone' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error.details[0].field, 'discoverability');
  });

  it('issues member credentials only through the operator', async () => {
    const member = await t.member();
    const denied = await t.call(recruiter.token, 'POST', `/api/members/${member.id}/tokens`, { name: 'x' });
    assert.equal(denied.statusCode, 403);
    const issued = await t.call(operator, 'POST', `/api/members/${member.id}/tokens`, { name: 'app' });
    assert.equal(issued.statusCode, 201);
    const me = (await t.call(issued.json().token, 'GET', '/api/me')).json();
    assert.equal(me.member.id, member.id);
  });
});

describe('hardening: a hidden member looks exactly like no member, in the answer and in the work', () => {
  const unknownId = '00000000-0000-4000-8000-000000000000';

  for (const discoverability of ['connections', 'nobody'] as const) {
    it(`hardening: looking up a hidden (${discoverability}) member's address runs the same statements as an unknown address`, async () => {
      await t.member({ emails: [`hidden.${discoverability}@gmail.com`], discoverability });
      const open = await t.member({ emails: [`open.${discoverability}@gmail.com`] });
      // Normalized forms (R10) must not tell them apart either.
      const asked = await traced(
        recruiter.token,
        'GET',
        `/api/members/lookup?email=Hidden.${discoverability}%2Bjobs@googlemail.com`,
      );
      const unknown = await traced(
        recruiter.token,
        'GET',
        `/api/members/lookup?email=stranger.${discoverability}@gmail.com`,
      );
      assert.equal(asked.status, 404);
      assert.deepEqual(asked, unknown, 'same status, bytes and statements');
      assert.equal(
        asked.statements.filter((sql) => /member_emails/.test(sql)).length,
        1,
        'one directory query',
      );
      const found = await traced(recruiter.token, 'GET', `/api/members/lookup?email=${open.emails[0]}`);
      assert.equal(found.status, 200);
      assert.deepEqual(found.statements, unknown.statements, 'a found member costs the same statement too');
    });

    it(`hardening: GET /api/members/{id} of a hidden (${discoverability}) member is a 404 exactly like an unknown id`, async () => {
      const hidden = await t.member({ discoverability });
      const asked = await traced(recruiter.token, 'GET', `/api/members/${hidden.id}`);
      const unknown = await traced(recruiter.token, 'GET', `/api/members/${unknownId}`);
      assert.equal(asked.status, 404);
      assert.deepEqual(asked, unknown, 'same status, bytes and statements');
      const asOperator = await t.call(operator, 'GET', `/api/members/${hidden.id}`);
      assert.equal(asOperator.json().discoverability, discoverability, 'the operator still sees everyone');
    });

    it(`hardening: starting an InMail with a hidden (${discoverability}) member answers like an unknown member`, async () => {
      const hidden = await t.member({ discoverability });
      const start = (memberId: string) =>
        traced(recruiter.token, 'POST', '/api/inmail/conversations', {
          memberId,
          subject: 'Hi',
          body: 'Hello',
        });
      const asked = await start(hidden.id);
      const unknown = await start(unknownId);
      assert.equal(asked.status, 404);
      assert.deepEqual(asked, unknown, 'same status, bytes and statements');
      const conversations = await t.call(
        recruiter.token,
        'GET',
        `/api/inmail/conversations?memberId=${hidden.id}`,
      );
      assert.deepEqual(conversations.json().conversations, [], 'nothing was started');
    });
  }

  it("hardening: sync's directory lookup gets the same statement and nothing back for hidden and unknown addresses", async () => {
    await t.member({ emails: ['sync.hidden@people.example'], discoverability: 'nobody' });
    const open = await t.member({ emails: ['sync.open@people.example'] });
    const { lookupAddresses } = await import('../../src/db/members.ts');
    const run = async (addresses: string[]) => {
      recorded.statements.length = 0;
      const answer = await lookupAddresses(recorded.db, addresses);
      return { answer: [...answer.keys()], statements: [...recorded.statements] };
    };
    const asked = await run(['sync.hidden@people.example']);
    assert.deepEqual(asked, await run(['sync.stranger@people.example']));
    assert.deepEqual(asked.answer, []);
    const mixed = await lookupAddresses(t.database.db, [
      'sync.hidden@people.example',
      'sync.open@people.example',
    ]);
    assert.deepEqual(
      [...mixed.values()].map((member) => member.memberId),
      [open.id],
    );
  });
});

describe('hardening: names nobody can see are refused for members and users', () => {
  const invisible = [
    '   ',
    '\u00A0\t\n',
    '\u200B',
    '\u200B\u200C\u200D',
    '\u202EnnA',
    'Ann\u0000',
    '\u3164',
    '\uFEFF',
  ];

  it('hardening: PUT /api/members refuses a blank or invisible name with 400 naming the field', async () => {
    for (const name of invisible) {
      const response = await t.call(operator, 'PUT', '/api/members', {
        name,
        emails: ['invisible@names.example'],
        discoverability: 'anyone',
      });
      assert.equal(response.statusCode, 400, JSON.stringify(name));
      assert.equal(response.json().error.details[0].field, 'name', JSON.stringify(name));
    }
    const lookup = await t.call(recruiter.token, 'GET', '/api/members/lookup?email=invisible@names.example');
    assert.equal(lookup.statusCode, 404, 'none of them was saved');
  });

  it('hardening: PUT /api/members stores a name normalized (NFC, whitespace collapsed, trimmed)', async () => {
    const response = await t.call(operator, 'PUT', '/api/members', {
      name: '  Jose\u0301 \t  Pe\u0301rez\n',
      emails: ['jose@names.example'],
      discoverability: 'anyone',
    });
    assert.equal(response.statusCode, 201);
    assert.equal(response.json().name, 'José Pérez');
  });

  it('hardening: a record PostgreSQL cannot store answers 400 naming the field, not 500', async () => {
    const response = await t.call(operator, 'PUT', '/api/members', {
      name: 'Nul Headline',
      headline: 'Engineer\u0000',
      emails: ['nul-headline@names.example'],
      discoverability: 'anyone',
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().error.code, 'validation_failed');
    assert.equal(response.json().error.details[0].field, 'headline');
  });

  it('hardening: PATCH /api/me refuses an invisible name, for members and for recruiters', async () => {
    const member = await t.member();
    for (const name of invisible) {
      for (const token of [member.token, recruiter.token]) {
        const response = await t.call(token, 'PATCH', '/api/me', { name });
        assert.equal(response.statusCode, 400, JSON.stringify(name));
        assert.equal(response.json().error.details[0].field, 'name');
      }
    }
    const renamed = await t.call(member.token, 'PATCH', '/api/me', { name: ' Mary  Ann ' });
    assert.equal(renamed.json().member.name, 'Mary Ann');
  });

  it('hardening: POST /api/users and PATCH /api/users/{id} refuse an invisible name', async () => {
    const { admin, recruiter: colleague } = await t.organization();
    for (const name of invisible) {
      const created = await t.call(admin.token, 'POST', '/api/users', {
        email: 'invisible@users.example',
        name,
        role: 'member',
      });
      assert.equal(created.statusCode, 400, JSON.stringify(name));
      const renamed = await t.call(admin.token, 'PATCH', `/api/users/${colleague.id}`, { name });
      assert.equal(renamed.statusCode, 400, JSON.stringify(name));
    }
  });
});
