/** Organizations, their users, and the access tokens that let anyone call the API. */

import { findLiveToken, insertAccessToken, type TokenOwner, touchAccessToken } from '../db/access-tokens.ts';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { findOrganizationByRef, insertOrganization, type Organization } from '../db/organizations.ts';
import { insertUser, type User } from '../db/users.ts';
import { issueToken, parseToken, secretMatches } from '../domain/access-token.ts';
import { requireDisplayName } from '../domain/display-name.ts';
import { isEmailAddress } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import type { Principal, Role } from '../domain/principal.ts';

const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export async function createOrganization(
  db: Database,
  input: { name: string; primaryDomain: string },
): Promise<Organization> {
  const name = requireDisplayName(input.name);
  const primaryDomain = input.primaryDomain.trim().toLowerCase();
  if (!DOMAIN.test(primaryDomain)) {
    throw new AppError('validation_failed', `domain "${input.primaryDomain}" is not a domain name`, [
      { field: 'domain', message: 'must be a domain name such as example.com' },
    ]);
  }
  // `user create --org <domain>` finds an organization by its domain: a second one would make that ambiguous.
  if ((await findOrganizationByRef(db, primaryDomain)).length > 0) {
    throw new AppError('conflict', `an organization already uses the domain ${primaryDomain}`, [
      { field: 'domain', message: 'is already the primary domain of an organization' },
    ]);
  }
  return insertOrganization(db, { name, primaryDomain });
}

/** Creates a user and their first personal access token, returned once and stored only as a hash. */
export async function createUser(
  db: Database,
  orgId: string,
  input: { email: string; name: string; role: Role },
  tokenName = 'first token',
): Promise<{ user: User; token: string }> {
  if (!isEmailAddress(input.email)) {
    throw new AppError('validation_failed', `email "${input.email}" is not an email address`, [
      { field: 'email', message: 'must be an email address' },
    ]);
  }
  const name = requireDisplayName(input.name);
  return db.transaction().execute(async (trx) => {
    let user: User;
    try {
      user = await insertUser(trx, orgId, { email: input.email.trim(), name, role: input.role });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError(
          'conflict',
          `a user with email ${input.email.trim().toLowerCase()} already exists`,
        );
      }
      throw error;
    }
    const token = await createAccessToken(trx, { kind: 'user', orgId, userId: user.id }, tokenName);
    return { user, token };
  });
}

export async function createAccessToken(db: Database, owner: TokenOwner, name = ''): Promise<string> {
  const issued = issueToken(owner.kind);
  await insertAccessToken(db, owner, issued, name);
  return issued.token;
}

/** The principal a bearer token stands for, or `unauthenticated` for a missing, malformed, wrong or revoked one. */
export async function authenticate(db: Database, bearer: string | undefined): Promise<Principal> {
  if (!bearer)
    throw new AppError('unauthenticated', 'an access token is required (Authorization: Bearer <token>)');
  const parts = parseToken(bearer);
  const found = parts ? await findLiveToken(db, parts.id) : undefined;
  if (!parts || !secretMatches(parts.secret, found?.secretHash) || !found) {
    throw new AppError('unauthenticated', 'the access token is invalid or revoked');
  }
  await touchAccessToken(db, parts.id);
  return found.principal;
}
