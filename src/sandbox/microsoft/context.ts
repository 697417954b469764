/** Everything the Microsoft emulator's modules share, created once per sandbox and emptied by reset. */
import type { SandboxCore } from '../core.ts';
import type { SigningKey } from '../keys.ts';
import type { Directory } from './directory.ts';
import type { Calendars } from './events.ts';
import type { Grants } from './grants.ts';
import type { Ids } from './ids.ts';
import type { Mailboxes } from './mailbox.ts';
import type { MicrosoftSettings } from './settings.ts';

export interface MicrosoftContext {
  core: SandboxCore;
  settings: MicrosoftSettings;
  ids: Ids;
  key: SigningKey;
  directory: Directory;
  grants: Grants;
  mailboxes: Mailboxes;
  calendars: Calendars;
}

/** `{base}/microsoft/login`: stands for https://login.microsoftonline.com. */
export function loginBase(ctx: MicrosoftContext): string {
  return `${ctx.core.baseUrl}/microsoft/login`;
}

/** `{base}/microsoft/graph`: stands for https://graph.microsoft.com. */
export function graphBase(ctx: MicrosoftContext): string {
  return `${ctx.core.baseUrl}/microsoft/graph`;
}
