/** The Google emulator: OAuth 2.0 / OIDC, Gmail v1, Calendar v3 and Pub/Sub push. */
import type { ProviderSandbox, SandboxCore } from '../core.ts';

export interface GoogleOptions {
  /** How long Gmail keeps history records; older `startHistoryId`s answer 404 (default 7 days). */
  historyRetentionMs?: number;
  /** Where Pub/Sub pushes mailbox changes (the app's /webhooks/google). */
  pushEndpoint?: string;
  /** The `aud` claim of push JWTs (default: the push endpoint). */
  pushAudience?: string;
  /** The service account that signs push JWTs (`email` claim). */
  pushServiceAccount?: string;
}

export async function createGoogleSandbox(
  _core: SandboxCore,
  _options: GoogleOptions,
): Promise<ProviderSandbox> {
  return { routes: async () => {}, control: async () => {}, reset: () => {} };
}
