/** Every provider's adapter by name. A provider without configured credentials has none (it cannot be chosen). */
import type { Config, GoogleConfig, MicrosoftConfig } from '../config.ts';
import { createGoogleCalendar } from './google/calendar.ts';
import { createGoogleMail } from './google/mail.ts';
import { createGoogleOAuth } from './google/oauth.ts';
import { createGooglePush, createGooglePushVerifier, GMAIL_PUSH_BODY_LIMIT } from './google/push.ts';
import { createMicrosoftAdminConsent } from './microsoft/admin-consent.ts';
import { createMicrosoftCalendar } from './microsoft/calendar.ts';
import { createMicrosoftMail } from './microsoft/mail.ts';
import { createMicrosoftOAuth } from './microsoft/oauth.ts';
import {
  createMicrosoftPush,
  GRAPH_NOTIFICATION_BODY_LIMIT,
  parseGraphNotifications,
} from './microsoft/push.ts';
import type { Provider, ProviderAdapter } from './types.ts';

export type ProviderRegistry = Record<Provider, ProviderAdapter | undefined>;

const DAY_MS = 86_400_000;

export function createProviders(
  config: Pick<Config, 'google' | 'microsoft' | 'publicUrl'>,
): ProviderRegistry {
  return {
    google: config.google && google(config.google),
    microsoft: config.microsoft && microsoft(config.microsoft, config.publicUrl),
  } satisfies ProviderRegistry;
}

function google(config: GoogleConfig): ProviderAdapter {
  const adapter: ProviderAdapter = {
    oauth: createGoogleOAuth(config),
    mail: createGoogleMail(config),
    calendar: createGoogleCalendar(config),
  };
  if (!config.push) return adapter;
  const verify = createGooglePushVerifier(config.push);
  return {
    ...adapter,
    push: createGooglePush(config, { topicName: config.push.topicName }),
    // A watch lasts 7 days and Google asks for it to be renewed daily: renew once 6 days are left.
    pushRenewMarginMs: 6 * DAY_MS,
    readNotifications: async (request) => ({
      notifications: [{ kind: 'mailbox', address: (await verify(request)).address }],
      ignored: 0,
    }),
    webhookBodyLimit: GMAIL_PUSH_BODY_LIMIT,
  };
}

function microsoft(config: MicrosoftConfig, publicUrl: string): ProviderAdapter {
  const oauth = createMicrosoftOAuth(config);
  return {
    oauth,
    adminConsent: createMicrosoftAdminConsent(config),
    mail: createMicrosoftMail(config),
    calendar: createMicrosoftCalendar(config),
    push: createMicrosoftPush(config, {
      notificationUrl: `${publicUrl}/webhooks/microsoft`,
      lifecycleNotificationUrl: `${publicUrl}/webhooks/microsoft/lifecycle`,
    }),
    // A subscription to messages lives up to 10,080 minutes (7 days): renew when less than one day is left.
    pushRenewMarginMs: DAY_MS,
    readNotifications: async (request) => {
      const { notifications, ignored } = parseGraphNotifications(request.body);
      return { notifications: notifications.map((item) => ({ kind: 'subscription', ...item })), ignored };
    },
    webhookBodyLimit: GRAPH_NOTIFICATION_BODY_LIMIT,
    webhookHandshake: true,
  };
}
