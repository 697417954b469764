/**
 * Which folders sync follows. Delta is per folder ("Get incremental changes to messages in a folder": to
 * follow a folder hierarchy, track each folder), so sync lists the whole visible tree and tracks every
 * folder but Drafts, Junk Email and Deleted Items (and whatever sits below them): rules file mail into
 * custom folders, and Archive counts. Those three are found by their well-known names ("mailFolder
 * resource type"), together with Sent Items and Recoverable Items' Deletions, which decide flags.
 */
import { ProviderError } from '../errors.ts';
import { batchGet } from './batch.ts';
import { mapGraphError } from './errors.ts';
import type { GraphClient } from './graph.ts';
import type { MailboxFacts } from './map-message.ts';

/** A folder sync follows. */
export interface TrackedFolder {
  id: string;
  name: string;
}

const WELL_KNOWN = {
  drafts: 'drafts',
  junk: 'junkemail',
  deleted: 'deleteditems',
  sent: 'sentitems',
  recoverable: 'recoverableitemsdeletions',
} as const;

/** The mailbox's address and well-known folder ids, in one `$batch`. */
export async function loadMailboxFacts(graph: GraphClient, accessToken: string): Promise<MailboxFacts> {
  const roles = Object.entries(WELL_KNOWN) as [keyof typeof WELL_KNOWN, string][];
  const answers = await batchGet(graph, accessToken, [
    { id: 'me', url: '/me?$select=mail,userPrincipalName' },
    ...roles.map(([role, name]) => ({ id: role, url: `/me/mailFolders/${name}?$select=id` })),
  ]);
  const me = answers.get('me') ?? missing();
  if (me.status !== 200) throw mapGraphError(me, 'me');
  const profile = me.body as { mail?: unknown; userPrincipalName?: unknown };
  const address =
    typeof profile.mail === 'string' && profile.mail !== '' ? profile.mail : profile.userPrincipalName;
  const facts: MailboxFacts = {
    address: typeof address === 'string' ? address.toLowerCase() : '',
    drafts: '',
    junk: '',
    deleted: '',
    sent: '',
    recoverable: '',
  };
  for (const [role, name] of roles) {
    const answer = answers.get(role) ?? missing();
    // A mailbox without one of them (a personal account may lack Recoverable Items' Deletions) has
    // nothing there to recognise.
    if (answer.status === 404) continue;
    if (answer.status !== 200) throw mapGraphError(answer, `mailFolders/${name}`);
    const id = (answer.body as { id?: unknown }).id;
    if (typeof id === 'string') facts[role] = id;
  }
  return facts;
}

/** Every visible folder, depth first, except Drafts, Junk Email, Deleted Items and their subfolders. */
export async function listTrackedFolders(
  graph: GraphClient,
  accessToken: string,
  facts: MailboxFacts,
): Promise<TrackedFolder[]> {
  const skipped = new Set([facts.drafts, facts.junk, facts.deleted, facts.recoverable].filter(Boolean));
  const tracked: TrackedFolder[] = [];
  const visit = async (path: string) => {
    for (const folder of await listAll(graph, accessToken, path)) {
      if (skipped.has(folder.id)) continue;
      tracked.push({ id: folder.id, name: folder.displayName });
      if (folder.childFolderCount > 0) {
        await visit(`me/mailFolders/${encodeURIComponent(folder.id)}/childFolders`);
      }
    }
  };
  await visit('me/mailFolders');
  return tracked;
}

interface FolderEntry {
  id: string;
  displayName: string;
  childFolderCount: number;
}

/** One folder level, following `@odata.nextLink`. */
async function listAll(graph: GraphClient, accessToken: string, path: string): Promise<FolderEntry[]> {
  const entries: FolderEntry[] = [];
  let next: string | undefined =
    `${path}?includeHiddenFolders=false&$top=100&$select=id,displayName,childFolderCount`;
  while (next) {
    const response = await graph.ok(accessToken, { path: next }, 'mailFolders');
    const page = response.body as { value?: unknown; '@odata.nextLink'?: unknown };
    if (!Array.isArray(page.value))
      throw new ProviderError('transient', 'Graph listed folders without value');
    for (const raw of page.value as Record<string, unknown>[]) {
      if (typeof raw.id !== 'string') continue;
      entries.push({
        id: raw.id,
        displayName: typeof raw.displayName === 'string' ? raw.displayName : '',
        childFolderCount: typeof raw.childFolderCount === 'number' ? raw.childFolderCount : 0,
      });
    }
    next = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
  }
  return entries;
}

function missing(): never {
  throw new ProviderError('transient', "Graph's batch answer lacks a request");
}
