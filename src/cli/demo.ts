/**
 * The demo `npm start` sets up, so a newcomer can walk the whole flow without any account anywhere: the
 * provider sandbox with OAuth apps, mailboxes and the sign-on client the web app uses, an organization on
 * Google Workspace with an admin and two recruiters, and a few members to find and to write to. Seeding is idempotent; each start prints fresh
 * tokens (revoking the previous start's) and a link that connects the recruiter's mailbox in a browser.
 */
import { revokeAccessTokensNamed } from '../db/access-tokens.ts';
import { findOrganizationByRef, updateSettings } from '../db/organizations.ts';
import { findUserByEmail } from '../db/users.ts';
import { createAccessToken, createOrganization, createUser } from '../services/accounts.ts';
import type { AppContext } from '../services/context.ts';
import { upsertMember } from '../services/directory.ts';

export const DEMO_DOMAIN = 'acme.example';
const DOMAIN = DEMO_DOMAIN;
const DEMO_TOKEN = 'demo start';

export const DEMO_CLIENTS = {
  google: { clientId: 'talentsync-demo.apps.googleusercontent.com', clientSecret: 'demo-google-secret' },
  microsoft: { clientId: '00000000-0000-4000-8000-00000000d3m0', clientSecret: 'demo-microsoft-secret' },
};

/** The web app's single sign-on client at the sandbox's Google issuer, the demo's identity provider. */
export const DEMO_SSO = { clientId: 'talentsync-demo-sso', clientSecret: 'demo-sso-secret' };

/** The demo members who may use the web app's "sign in as" (members get a member session). */
export const DEMO_MEMBER_SIGN_INS = ['grace.candidate@gmail.com'] as const;

/** The Pub/Sub topic and push service account the sandbox stands in for. */
export const DEMO_PUSH = {
  topicName: 'projects/talentsync-demo/topics/gmail',
  serviceAccountEmail: 'gmail-push@talentsync-demo.iam.gserviceaccount.com',
};

const PEOPLE = [
  { email: `ada@${DOMAIN}`, name: 'Ada Admin', role: 'admin' },
  { email: `rex@${DOMAIN}`, name: 'Rex Recruiter', role: 'member' },
  { email: `cleo@${DOMAIN}`, name: 'Cleo Colleague', role: 'member' },
] as const;

const MEMBERS = [
  {
    externalId: 'demo-1',
    name: 'Grace Candidate',
    headline: 'Staff engineer',
    emails: ['grace.candidate@gmail.com'],
    discoverability: 'anyone',
  },
  {
    externalId: 'demo-2',
    name: 'Alan Applicant',
    headline: 'Data scientist',
    emails: ['alan@applicant.example'],
    discoverability: 'anyone',
  },
  {
    externalId: 'demo-3',
    name: 'Hedy Private',
    headline: 'Inventor',
    emails: ['hedy@private.example'],
    discoverability: 'nobody',
  },
] as const;

/** The demo candidates the sandbox mail panel writes as: the members anyone may find by address. */
export const DEMO_CANDIDATES = MEMBERS.filter((member) => member.discoverability === 'anyone').map(
  (member) => ({ name: member.name, address: member.emails[0] }),
);

/** Registers the demo OAuth apps (and the sign-on client) and the demo people's mailboxes with the sandbox. */
export async function prepareSandbox(sandboxUrl: string, publicUrl: string): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${sandboxUrl}/_sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // 409: the user is there already, kept by the sandbox from an earlier start (its state file).
    if (response.status === 409 && path.endsWith('/users')) return;
    if (!response.ok) throw new Error(`sandbox ${path}: ${response.status} ${await response.text()}`);
  };
  for (const provider of ['google', 'microsoft'] as const) {
    await post(`/${provider}/clients`, {
      ...DEMO_CLIENTS[provider],
      redirectUris: [`${publicUrl}/oauth/callback`],
    });
    for (const person of PEOPLE) await post(`/${provider}/users`, { email: person.email, name: person.name });
  }
  await post('/google/clients', { ...DEMO_SSO, redirectUris: [`${publicUrl}/auth/callback`] });
}

/** Seeds the demo data if missing and returns the lines to print. */
export async function seedDemo(context: AppContext, sandboxUrl: string): Promise<string[]> {
  const { db } = context;
  const [existing] = await findOrganizationByRef(db, DOMAIN);
  const org =
    existing ?? (await createOrganization(db, { name: 'Acme Talent (demo)', primaryDomain: DOMAIN }));
  if (!existing) await updateSettings(db, org.id, { provider: 'google' });
  const tokens: string[] = [];
  for (const person of PEOPLE) tokens.push(await demoUser(context, org.id, person));
  for (const member of MEMBERS) await upsertMember(db, { ...member, emails: [...member.emails] });
  const [admin, recruiter, colleague] = tokens;
  return [
    `Demo organization "${org.name}" (${DOMAIN}), on the provider sandbox:`,
    `  admin     ada@${DOMAIN}  token ${admin}`,
    `  recruiter rex@${DOMAIN}  token ${recruiter}`,
    `  recruiter cleo@${DOMAIN}  token ${colleague}`,
    `  1. open ${context.publicUrl}/ , sign in as Rex, then My integration → Connect my mailbox`,
    `  2. a candidate writes to Rex (the provider sandbox delivers it):`,
    `     curl -H 'content-type: application/json' ${sandboxUrl}/_sandbox/google/mailboxes/rex@${DOMAIN}/deliver \\`,
    `       -d '{"from":{"name":"Grace","address":"grace.candidate@gmail.com"},"to":[{"address":"rex@${DOMAIN}"}],"subject":"Hello","text":"My CV"}'`,
    `  3. it is on Rex's Threads page within seconds, without a reload (or use the app's Sandbox mail page), or: curl -H "Authorization: Bearer ${recruiter}" ${context.publicUrl}/api/threads`,
    `  provider sandbox: ${sandboxUrl} (control API: ${sandboxUrl}/_sandbox, see docs/sandbox.md)`,
  ];
}

async function demoUser(
  context: AppContext,
  orgId: string,
  input: { email: string; name: string; role: 'admin' | 'member' },
): Promise<string> {
  const user = await findUserByEmail(context.db, orgId, input.email);
  if (!user) return (await createUser(context.db, orgId, input, DEMO_TOKEN)).token;
  const owner = { kind: 'user', orgId, userId: user.id } as const;
  await revokeAccessTokensNamed(context.db, owner, DEMO_TOKEN);
  return createAccessToken(context.db, owner, DEMO_TOKEN);
}
