/**
 * Who is signed in in a browser, for the pages of the OAuth flow. There are no browser sessions yet: the
 * only credential a user has is their access token, which the sign-in form posts (never in a URL). When
 * single sign-on brings a session cookie, this is the one function that reads it instead.
 */
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { authenticate } from '../services/accounts.ts';
import type { UserPrincipal } from './auth.ts';

/** The user signed in in the browser that sent `request`, or undefined when nobody (or not a user) is. */
export async function signedInUser(
  db: Database,
  request: FastifyRequest,
): Promise<UserPrincipal | undefined> {
  const token = (request.body as { token?: unknown } | undefined)?.token;
  if (typeof token !== 'string' || token.trim() === '') return undefined;
  try {
    const principal = await authenticate(db, token.trim());
    return principal.kind === 'user' ? principal : undefined;
  } catch (error) {
    if (error instanceof AppError && error.code === 'unauthenticated') return undefined;
    throw error;
  }
}
