/** The Microsoft emulator: identity platform v2.0, Graph mail, calendar and change notifications. */
import type { ProviderSandbox, SandboxCore } from '../core.ts';

export interface MicrosoftOptions {
  /** Longest subscription lifetime Graph grants for messages, in minutes (default 4,230). */
  maxSubscriptionMinutes?: number;
  /** How long a delta token stays valid (default 30 days); older ones answer 410 SyncStateNotFound. */
  deltaTokenLifetimeMs?: number;
}

export async function createMicrosoftSandbox(
  _core: SandboxCore,
  _options: MicrosoftOptions,
): Promise<ProviderSandbox> {
  return { routes: async () => {}, control: async () => {}, reset: () => {} };
}
