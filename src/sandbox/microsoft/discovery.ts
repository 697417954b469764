/**
 * OpenID Connect discovery and signing keys (identity platform "OpenID Connect on the Microsoft identity
 * platform"). Quirk kept on purpose: the `common` and `organizations` documents carry the literal issuer
 * `…/{tenantid}/v2.0`, because tokens from those endpoints are issued by whichever tenant the user
 * belongs to; clients substitute the token's `tid`. `consumers` names the consumer tenant's GUID, and a
 * tenant named by domain is answered with its GUID throughout.
 */
import type { FastifyInstance } from 'fastify';
import { AADSTS, aadErrorBody } from './aadsts.ts';
import { graphBase, loginBase, type MicrosoftContext } from './context.ts';
import { type Authority, CONSUMER_TENANT_ID } from './directory.ts';

/** The issuer of tokens for an authority, as its discovery document states it. */
export function documentIssuer(ctx: MicrosoftContext, authority: Authority): string {
  if (authority.kind === 'tenant') return `${loginBase(ctx)}/${authority.tenant.id}/v2.0`;
  if (authority.kind === 'consumers') return `${loginBase(ctx)}/${CONSUMER_TENANT_ID}/v2.0`;
  return `${loginBase(ctx)}/{tenantid}/v2.0`;
}

/** The path segment endpoints use for an authority: the tenant GUID, or common/organizations/consumers. */
export function authoritySegment(authority: Authority): string {
  return authority.kind === 'tenant' ? authority.tenant.id : authority.kind;
}

export function discoveryRoutes(app: FastifyInstance, ctx: MicrosoftContext): void {
  const resolve = (tenant: string) => ctx.directory.authority(tenant);

  app.get<{ Params: { tenant: string } }>(
    '/login/:tenant/v2.0/.well-known/openid-configuration',
    async (request, reply) => {
      const authority = resolve(request.params.tenant);
      if (!authority) {
        return reply
          .status(400)
          .send(aadErrorBody(AADSTS.tenantNotFound(request.params.tenant), ctx.core.clock.now(), ctx.ids));
      }
      const root = `${loginBase(ctx)}/${authoritySegment(authority)}`;
      return {
        token_endpoint: `${root}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${root}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: documentIssuer(ctx, authority),
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${graphBase(ctx)}/oidc/userinfo`,
        authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${root}/oauth2/v2.0/logout`,
        claims_supported: [
          'sub',
          'iss',
          'cloud_instance_name',
          'cloud_instance_host_name',
          'cloud_graph_host_name',
          'msgraph_host',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'acr',
          'nonce',
          'preferred_username',
          'name',
          'tid',
          'ver',
          'at_hash',
          'c_hash',
          'email',
        ],
        kerberos_endpoint: `${root}/kerberos`,
        tenant_region_scope: authority.kind === 'tenant' && !authority.tenant.consumer ? 'EU' : null,
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      };
    },
  );

  app.get<{ Params: { tenant: string } }>('/login/:tenant/discovery/v2.0/keys', async (request, reply) => {
    const authority = resolve(request.params.tenant);
    if (!authority) {
      return reply
        .status(400)
        .send(aadErrorBody(AADSTS.tenantNotFound(request.params.tenant), ctx.core.clock.now(), ctx.ids));
    }
    // Each v2.0 key names the issuer it signs for, in the same {tenantid} form as the document.
    const issuer = documentIssuer(ctx, authority);
    return { keys: ctx.key.jwks().keys.map((key) => ({ ...key, issuer })) };
  });
}
