/**
 * The demo organization `npm start` sets up, so a newcomer can try everything without any account:
 * an organization with an admin and a recruiter, and a few members to find and to write to.
 * Seeding is idempotent; each start prints fresh tokens and revokes the previous start's.
 */
import { revokeAccessTokensNamed } from '../db/access-tokens.ts';
import type { Database } from '../db/database.ts';
import { findOrganizationByRef } from '../db/organizations.ts';
import { findUserByEmail } from '../db/users.ts';
import { createAccessToken, createOrganization, createUser } from '../services/accounts.ts';
import { upsertMember } from '../services/directory.ts';

const DOMAIN = 'acme.example';
const DEMO_TOKEN = 'demo start';

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

/** Seeds the demo data if missing and returns the lines to print. */
export async function seedDemo(db: Database, publicUrl: string): Promise<string[]> {
  const [existing] = await findOrganizationByRef(db, DOMAIN);
  const org =
    existing ?? (await createOrganization(db, { name: 'Acme Talent (demo)', primaryDomain: DOMAIN }));
  const admin = await demoUser(db, org.id, { email: `ada@${DOMAIN}`, name: 'Ada Admin', role: 'admin' });
  const recruiter = await demoUser(db, org.id, {
    email: `rex@${DOMAIN}`,
    name: 'Rex Recruiter',
    role: 'member',
  });
  for (const member of MEMBERS) await upsertMember(db, { ...member, emails: [...member.emails] });
  return [
    `Demo organization "${org.name}" (${DOMAIN}):`,
    `  admin     ada@${DOMAIN}  token ${admin}`,
    `  recruiter rex@${DOMAIN}  token ${recruiter}`,
    `  try: curl -H "Authorization: Bearer ${admin}" ${publicUrl}/api/me`,
  ];
}

async function demoUser(
  db: Database,
  orgId: string,
  input: { email: string; name: string; role: 'admin' | 'member' },
): Promise<string> {
  const user = await findUserByEmail(db, orgId, input.email);
  if (!user) return (await createUser(db, orgId, input, DEMO_TOKEN)).token;
  const owner = { kind: 'user', orgId, userId: user.id } as const;
  await revokeAccessTokensNamed(db, owner, DEMO_TOKEN);
  return createAccessToken(db, owner, DEMO_TOKEN);
}
