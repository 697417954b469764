/**
 * Who is calling. Three kinds of credential holders use the API:
 * - a **user**: a recruiter seat in one organization (`member` or `admin` role);
 * - a **member**: a person in the platform's directory, acting on their own profile and InMail;
 * - the **operator**: whoever runs the platform, feeding the member directory.
 */
export type Role = 'admin' | 'member';

export type Principal =
  | { kind: 'user'; tokenId: string; orgId: string; userId: string; role: Role }
  | { kind: 'member'; tokenId: string; memberId: string }
  | { kind: 'operator'; tokenId: string };

export type PrincipalKind = Principal['kind'];

export const DISCOVERABILITY = ['anyone', 'connections', 'nobody'] as const;
export type Discoverability = (typeof DISCOVERABILITY)[number];
