/**
 * Access tokens: `ts<kind>_<id>_<secret>`. The id is the public half, used to find the row; only a
 * SHA-256 of the secret is stored, and it is compared in constant time. The kind letter (u, m, o) makes a
 * leaked token recognizable by secret scanners and tells at a glance what it unlocks.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrincipalKind } from './principal.ts';

const KIND_LETTER = { user: 'u', member: 'm', operator: 'o' } as const satisfies Record<
  PrincipalKind,
  string
>;
const TOKEN = /^ts([umo])_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  id: string;
  /** The whole token, shown once to whoever asked for it. */
  token: string;
  secretHash: Buffer;
}

export function issueToken(kind: PrincipalKind): IssuedToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `ts${KIND_LETTER[kind]}_${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented token; `undefined` when it is not shaped like one of ours. */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  const match = TOKEN.exec(token);
  return match ? { id: match[2] as string, secret: match[3] as string } : undefined;
}

// A secret that never matches, compared when the id is unknown so both paths cost the same.
const DECOY = createHash('sha256').update('decoy').digest();

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: Buffer | undefined): boolean {
  const presented = hashSecret(secret);
  const stored = storedHash?.length === presented.length ? storedHash : DECOY;
  return timingSafeEqual(presented, stored) && stored !== DECOY;
}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
