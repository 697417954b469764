/**
 * The Microsoft emulator: identity platform v2.0 (discovery, authorize, token, admin consent, keys),
 * Graph v1.0 mail (me, mail folders, messages, delta, `$batch`), subscriptions with change and lifecycle
 * notifications, and calendar (getSchedule, events with Teams meetings), plus its control API.
 * Built from Microsoft's documentation; every deliberate difference is written down where it is made.
 */
import type { ProviderSandbox, SandboxCore } from '../core.ts';
import { createSigningKey } from '../keys.ts';
import { batchRoutes } from './batch.ts';
import { calendarRoutes } from './calendar.ts';
import type { MicrosoftContext } from './context.ts';
import { controlRoutes } from './control.ts';
import { deltaRoutes } from './delta.ts';
import { createDirectory } from './directory.ts';
import { createCalendars } from './events.ts';
import { createGrants } from './grants.ts';
import { createGraphApi } from './graph.ts';
import { createIds } from './ids.ts';
import { createMailboxes } from './mailbox.ts';
import { mailRoutes } from './messages.ts';
import { createNotifier } from './notifications.ts';
import { publicRoutes } from './routes.ts';
import { type MicrosoftOptions, resolveSettings } from './settings.ts';
import { subscriptionRoutes } from './subscriptions.ts';
import { createThrottle } from './throttle.ts';

export type { MicrosoftOptions } from './settings.ts';

/** Creates the Microsoft emulator on the shared sandbox core. */
export async function createMicrosoftSandbox(
  core: SandboxCore,
  options: MicrosoftOptions,
): Promise<ProviderSandbox> {
  const settings = resolveSettings(options);
  const initialSettings = { ...settings };
  const ids = createIds(core.random);
  const ctx: MicrosoftContext = {
    core,
    settings,
    ids,
    key: await createSigningKey(),
    directory: createDirectory(ids),
    grants: createGrants(),
    mailboxes: createMailboxes(ids, () => core.clock.now()),
    calendars: createCalendars(ids),
  };
  const notifier = createNotifier(core);
  ctx.mailboxes.onChange((mailbox, change) => notifier.onChange(mailbox, change));
  const throttle = createThrottle(core.clock, settings);
  const graph = createGraphApi(ctx, throttle, [
    ...mailRoutes(ctx),
    ...deltaRoutes(ctx),
    ...batchRoutes(),
    ...subscriptionRoutes(ctx, notifier),
    ...calendarRoutes(ctx),
  ]);
  return {
    routes: publicRoutes(ctx, graph),
    control: controlRoutes(ctx, notifier),
    snapshot: {
      state: { ...ctx, subscriptions: notifier.subscriptions },
      config: [settings, ids],
    },
    reset() {
      // The control API's settings changes last until reset, like every other piece of state.
      Object.assign(settings, initialSettings);
      ctx.directory.reset();
      ctx.grants.reset();
      ctx.mailboxes.reset();
      ctx.calendars.reset();
      notifier.subscriptions.clear();
      throttle.reset();
    },
  };
}
