/**
 * The OpenID Connect part both providers share, on `openid-client`: discovery (cached per process),
 * the consent URL with PKCE (S256), the code exchange with id_token validation, and refresh.
 * Each provider supplies its scopes, extra parameters, how to read the identity, and its error table.
 */
import * as client from 'openid-client';
import type { ProviderError } from './errors.ts';
import type { ConnectFlow, ConsentIdentity, TokenSet } from './types.ts';

export type OAuthOperation = 'discovery' | 'exchange' | 'refresh' | 'revoke';

export interface OidcSettings {
  /** Where discovery starts: the issuer (Google) or the authority (Microsoft). */
  discoveryUrl: URL;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  /** Extra authorization parameters (Google: `access_type=offline`, `prompt=consent`). */
  authorizationParams: Record<string, string>;
  /** Sends some requests elsewhere than their URL says (the sandbox standing in for a provider's origin). */
  fetch?: client.CustomFetch | undefined;
  identityOf(claims: client.IDToken): ConsentIdentity;
  mapError(error: unknown, operation: OAuthOperation): ProviderError;
}

export interface OidcClient {
  configuration(): Promise<client.Configuration>;
  authorizationUrl(flow: ConnectFlow): Promise<URL>;
  exchange(flow: ConnectFlow, callbackUrl: URL): Promise<{ tokens: TokenSet; identity: ConsentIdentity }>;
  refresh(refreshToken: string): Promise<TokenSet>;
}

export function createOidcClient(settings: OidcSettings): OidcClient {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= discover(settings).catch((error: unknown) => {
      discovered = undefined; // a failed discovery is retried on the next use
      throw settings.mapError(error, 'discovery');
    });
    return discovered;
  };

  return {
    configuration,
    async authorizationUrl(flow) {
      const config = await configuration();
      return client.buildAuthorizationUrl(config, {
        redirect_uri: flow.redirectUri,
        response_type: 'code',
        scope: settings.scopes.join(' '),
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
        ...(flow.loginHint ? { login_hint: flow.loginHint } : {}),
        ...settings.authorizationParams,
      });
    },
    async exchange(flow, callbackUrl) {
      const config = await configuration();
      try {
        const response = await client.authorizationCodeGrant(
          config,
          callbackUrl,
          {
            pkceCodeVerifier: flow.codeVerifier,
            expectedState: flow.state,
            expectedNonce: flow.nonce,
            idTokenExpected: true,
          },
          { redirect_uri: flow.redirectUri },
        );
        const claims = response.claims();
        if (!claims) throw new Error('the token response carried no id_token');
        return { tokens: tokenSet(response, undefined), identity: settings.identityOf(claims) };
      } catch (error) {
        throw settings.mapError(error, 'exchange');
      }
    },
    async refresh(refreshToken) {
      const config = await configuration();
      try {
        return tokenSet(await client.refreshTokenGrant(config, refreshToken), refreshToken);
      } catch (error) {
        throw settings.mapError(error, 'refresh');
      }
    },
  };
}

async function discover(settings: OidcSettings): Promise<client.Configuration> {
  const insecure = settings.discoveryUrl.protocol === 'http:' || settings.fetch !== undefined;
  return client.discovery(
    settings.discoveryUrl,
    settings.clientId,
    undefined,
    client.ClientSecretPost(settings.clientSecret),
    {
      ...(settings.fetch ? { [client.customFetch]: settings.fetch } : {}),
      // Only the sandbox serves plain http (tests, the demo); real providers are https.
      execute: insecure ? [client.allowInsecureRequests] : [],
      timeout: 15,
    },
  );
}

/**
 * A token response as the app keeps it. Providers may omit `refresh_token` on refresh (Google always does):
 * then `previousRefreshToken` is kept, which the caller stores again.
 */
function tokenSet(
  response: client.TokenEndpointResponse,
  previousRefreshToken: string | undefined,
): TokenSet {
  const expiresIn = typeof response.expires_in === 'number' ? response.expires_in : 3600;
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? previousRefreshToken,
    expiresAt: new Date(Date.now() + expiresIn * 1000),
    scopes: typeof response.scope === 'string' ? response.scope.split(' ').filter(Boolean) : [],
  };
}
