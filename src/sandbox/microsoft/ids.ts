/**
 * Identifiers shaped like Microsoft's. Entra ID objects (tenants, users, apps) are GUIDs; consumer (MSA)
 * users have a 16-hex-digit Graph id. Exchange item ids are opaque URL-safe base64 strings: a message has a
 * regular id, which Exchange re-mints whenever the message moves to another folder, and an immutable id
 * that never changes ("Obtain immutable identifiers for Outlook resources", Graph docs). Both start with
 * recognisable prefixes, so a string that is not an id at all can be told from an id that no longer exists
 * (Graph answers the first with 400 ErrorInvalidIdMalformed and the second with 404 ErrorItemNotFound).
 */
import { randomBytes } from 'node:crypto';
import type { Random } from '../random.ts';

export interface Ids {
  guid(): string;
  /** A consumer account's Graph user id: 16 hex digits. */
  consumerId(): string;
  regularMessageId(): string;
  immutableMessageId(): string;
  folderId(): string;
  eventId(): string;
  changeKey(): string;
}

const REGULAR_PREFIX = 'AAMkA';
const IMMUTABLE_PREFIX = 'AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A';
const FOLDER_PREFIX = 'AQMkA';

export function createIds(random: Random): Ids {
  const bytes = (count: number): Buffer => {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i += 1) out[i] = Math.floor(random.next() * 256);
    return out;
  };
  const base64 = (count: number) => bytes(count).toString('base64url');
  return {
    guid() {
      const b = bytes(16);
      b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
      b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
      const hex = b.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    consumerId: () => bytes(8).toString('hex'),
    regularMessageId: () => `${REGULAR_PREFIX}${base64(96)}AAA=`,
    immutableMessageId: () => `${IMMUTABLE_PREFIX}${base64(60)}AAA=`,
    folderId: () => `${FOLDER_PREFIX}${base64(33)}AAAA==`,
    eventId: () => `${REGULAR_PREFIX}${base64(96)}AAA=`,
    changeKey: () => `CQAAABYAAA${base64(15)}`,
  };
}

/** Whether a string could be an Exchange item id at all (else Graph answers ErrorInvalidIdMalformed). */
export function isWellFormedItemId(id: string): boolean {
  return /^(AAMkA|AAkAL|AQMkA)[A-Za-z0-9_-]{20,}={0,2}$/.test(id);
}

/** A secret that must not be guessable (codes, tokens): from the system's random source, not the seeded one. */
export function secret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
