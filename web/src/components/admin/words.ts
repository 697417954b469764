/** The admin pages' shared words: provider names, connection states as an admin reads them, errors. */
import { ApiError } from '../../api/client.ts';
import type { GetConnectionsResponse, GetOrganizationResponse } from '../../api/types.ts';

export type ProviderSetting = GetOrganizationResponse['provider'];
export type Connection = NonNullable<GetConnectionsResponse['users'][number]['connection']>;

/** A mailbox's provider, which may be a personal account (gmail.com, outlook.com) as well as a company's. */
export const MAILBOX_PROVIDERS: Record<Connection['provider'], string> = {
  google: 'Google',
  microsoft: 'Microsoft',
};

export const PROVIDER_NAMES: Record<ProviderSetting, string> = {
  google: 'Google Workspace',
  microsoft: 'Microsoft 365',
  none: 'Do Not Integrate',
};

/** A connection's status for the admin's table: a short state and what it means. */
export const ADMIN_STATUS: Record<Connection['status'], { label: string; meaning: string }> = {
  connected: { label: 'Connected', meaning: 'Mail with candidates is syncing.' },
  reauthorization_required: {
    label: 'Needs reconnecting',
    meaning: 'The provider stopped accepting talentsync’s access; sync is paused until they connect again.',
  },
  deauthorized: {
    label: 'Needs reconnecting',
    meaning:
      'A change of provider un-authorized this mailbox; they must connect again with the current provider.',
  },
  disconnected: { label: 'Disconnected', meaning: 'They disconnected their mailbox themselves.' },
};

/** A connection's problem: a sentence for people, and the provider's own words for whoever needs them. */
export interface ProblemWords {
  words: string;
  detail?: string;
}

/**
 * The latest problem of a connection in words, or undefined when there is none worth showing. The
 * server's texts end in the provider's own message (`invalid_grant: …`), which goes to `detail`.
 */
export function lastProblem(connection: Connection): ProblemWords | undefined {
  if (connection.sync.backoffUntil)
    return { words: 'The provider asked talentsync to slow down; sync resumes shortly.' };
  const raw = connection.sync.error ?? connection.lastError ?? undefined;
  if (raw === undefined) return undefined;
  if (connection.status === 'reauthorization_required') {
    return {
      words:
        'The provider stopped accepting talentsync’s access: it was revoked (for example in the account’s security settings) or it expired. Connecting again resumes sync where it stopped, with nothing lost.',
      detail: raw,
    };
  }
  if (connection.status === 'connected' && connection.sync.error) {
    if (raw.startsWith('The provider did not answer properly'))
      return { words: 'The provider did not answer properly; sync tries again shortly.', detail: raw };
    if (raw.startsWith('Sync stopped on an error'))
      return {
        words: 'Sync stopped on an error the provider reported; it tries again on the next change.',
        detail: raw,
      };
  }
  return { words: raw };
}

/** An error from the API (or anything thrown) as sentences for the page, field problems included. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.details.length > 0) return error.details.map((detail) => sentence(detail.message)).join(' ');
    if (error.status === 429) return 'Too many attempts in a short time; wait a minute and try again.';
    if (error.status === 403) return 'Only an admin of your organization may do this.';
    return sentence(error.message);
  }
  return error instanceof Error ? sentence(error.message) : String(error);
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'Something went wrong.';
  const capital = trimmed[0]?.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** "1 user", "3 users". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
