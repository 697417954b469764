/** The demo's "sign in as": only in demo mode, only from our own origin, an ordinary session after. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedDemo } from '../../src/cli/demo.ts';
import { testApp } from '../support/app.ts';

const ORIGIN = { origin: 'http://talentsync.test' };

async function demoApp() {
  const testing = await testApp({ demo: true });
  await seedDemo(testing.context, 'http://sandbox.invalid');
  return testing;
}

function sessionCookie(header: string | string[] | undefined): string {
  const line = [header ?? []].flat().find((value) => value.startsWith('talentsync_session='));
  assert.ok(line, 'a session cookie was set');
  return line.split(';')[0] ?? '';
}

test('Demo sign-in: the picker offers the admin, both recruiters and the candidate', async () => {
  const { app } = await demoApp();
  const answer = await app.inject({ method: 'GET', url: '/api/demo/people' });
  assert.equal(answer.statusCode, 200);
  const people = answer.json().people as { email: string; kind: string; role: string | null }[];
  assert.deepEqual(
    people.map((person) => [person.email, person.kind, person.role]),
    [
      ['ada@acme.example', 'user', 'admin'],
      ['cleo@acme.example', 'user', 'member'],
      ['rex@acme.example', 'user', 'member'],
      ['grace.candidate@gmail.com', 'member', null],
    ],
  );
});

test('Demo sign-in: as a recruiter gives a user session, as the candidate a member session', async () => {
  const { app } = await demoApp();
  const rex = await app.inject({
    method: 'POST',
    url: '/api/demo/sign-in',
    headers: ORIGIN,
    payload: { email: 'rex@acme.example' },
  });
  assert.equal(rex.statusCode, 200, rex.body);
  const asRex = await app.inject({
    method: 'GET',
    url: '/api/me',
    headers: { cookie: sessionCookie(rex.headers['set-cookie']) },
  });
  assert.equal(asRex.json().user.email, 'rex@acme.example');

  const grace = await app.inject({
    method: 'POST',
    url: '/api/demo/sign-in',
    headers: ORIGIN,
    payload: { email: 'grace.candidate@gmail.com' },
  });
  assert.equal(grace.statusCode, 200, grace.body);
  const asGrace = await app.inject({
    method: 'GET',
    url: '/api/me',
    headers: { cookie: sessionCookie(grace.headers['set-cookie']) },
  });
  assert.equal(asGrace.json().kind, 'member');
  assert.equal(asGrace.json().member.name, 'Grace Candidate');
});

test('Demo sign-in: refused from another site, for someone not in the demo, and outside demo mode', async () => {
  const { app } = await demoApp();
  const crossSite = await app.inject({
    method: 'POST',
    url: '/api/demo/sign-in',
    headers: { origin: 'https://evil.example' },
    payload: { email: 'rex@acme.example' },
  });
  assert.equal(crossSite.statusCode, 403);
  assert.equal(crossSite.headers['set-cookie'], undefined);
  const stranger = await app.inject({
    method: 'POST',
    url: '/api/demo/sign-in',
    headers: ORIGIN,
    payload: { email: 'alan@applicant.example' },
  });
  assert.equal(stranger.statusCode, 404);

  const production = await testApp();
  const off = await production.app.inject({
    method: 'POST',
    url: '/api/demo/sign-in',
    headers: ORIGIN,
    payload: { email: 'rex@acme.example' },
  });
  assert.equal(off.statusCode, 404);
  assert.equal((await production.app.inject({ method: 'GET', url: '/api/demo/people' })).statusCode, 404);
});
