/**
 * Who is signed in in a browser, for the pages of the OAuth flow: the web app's session (its cookie),
 * and only without one the access token a connect link's sign-in form posts (never in a URL). The form
 * stays for people who use the API without the web app, and the connect tests that walk it.
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
  const session = await sessionUser(request);
  if (session) return session;
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

/** The user of the browser's live web session, if it has one. */
export async function sessionUser(request: FastifyRequest): Promise<UserPrincipal | undefined> {
  const { sessions, cookies } = request.server.webSessions;
  const secret = cookies.read(request);
  const session = secret ? await sessions.find(secret) : undefined;
  return session?.principal.kind === 'user' ? session.principal : undefined;
}
