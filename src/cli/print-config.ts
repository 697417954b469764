/** `talentsync doctor --print-config`: the values the IT admin enters at Google and Microsoft for this deployment. */
import { GOOGLE_SCOPES } from '../providers/google/oauth.ts';
import { MICROSOFT_SCOPES } from '../providers/microsoft/oauth.ts';

/** The publisher Gmail's `users.watch` sends as: it must be allowed to publish to the topic. */
export const GMAIL_PUBLISHER = 'gmail-api-push@system.gserviceaccount.com';

/** The exact values an IT admin enters at Google and Microsoft for this deployment. */
export function printConfig(json: boolean): number {
  const env = process.env;
  const base = (env.PUBLIC_URL?.trim() || `http://localhost:${env.PORT?.trim() || '3000'}`).replace(
    /\/+$/,
    '',
  );
  const values = {
    publicUrl: base,
    oauthRedirectUri: `${base}/oauth/callback`,
    google: {
      scopes: [...GOOGLE_SCOPES],
      pubSubTopic:
        env.GOOGLE_PUBSUB_TOPIC?.trim() || 'projects/<project>/topics/<topic> (set GOOGLE_PUBSUB_TOPIC)',
      topicPublisher: GMAIL_PUBLISHER,
      pushEndpoint: `${base}/webhooks/google`,
      pushAudience: env.GOOGLE_PUSH_AUDIENCE?.trim() || `${base}/webhooks/google`,
      pushServiceAccount: env.GOOGLE_PUSH_SERVICE_ACCOUNT?.trim() || '(set GOOGLE_PUSH_SERVICE_ACCOUNT)',
    },
    microsoft: {
      delegatedPermissions: MICROSOFT_SCOPES.map((scope) =>
        scope.replace('https://graph.microsoft.com/', ''),
      ),
      notificationUrl: `${base}/webhooks/microsoft`,
      lifecycleNotificationUrl: `${base}/webhooks/microsoft/lifecycle`,
      tenant: env.MICROSOFT_TENANT?.trim() || 'common',
    },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(values, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `OAuth redirect URI (Google and Microsoft): ${values.oauthRedirectUri}`,
    'Google',
    `  scopes:                ${values.google.scopes.join(' ')}`,
    `  Pub/Sub topic:         ${values.google.pubSubTopic}`,
    `  topic publisher:       ${values.google.topicPublisher} (role Pub/Sub Publisher)`,
    `  push endpoint:         ${values.google.pushEndpoint}`,
    `  push OIDC audience:    ${values.google.pushAudience}`,
    `  push service account:  ${values.google.pushServiceAccount}`,
    'Microsoft',
    `  delegated permissions: ${values.microsoft.delegatedPermissions.join(', ')}`,
    `  notification URL:      ${values.microsoft.notificationUrl}`,
    `  lifecycle URL:         ${values.microsoft.lifecycleNotificationUrl}`,
    `  sign-in authority:     ${values.microsoft.tenant}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
