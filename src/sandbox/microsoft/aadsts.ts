/**
 * Identity platform errors. The token endpoint answers `{error, error_description, error_codes, timestamp,
 * trace_id, correlation_id, error_uri}`, where the description starts with `AADSTS<code>: ` and ends with
 * trace id, correlation id and timestamp lines ("Microsoft Entra authentication and authorization error
 * codes"); the authorize endpoint sends the same `error` and `error_description` to the redirect URI.
 */
import type { Ids } from './ids.ts';

export interface AadError {
  /** OAuth error code, e.g. `invalid_grant`. */
  error: string;
  /** The AADSTS number. */
  code: number;
  message: string;
}

export interface AadErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** The documented error body for one failure, stamped with the sandbox time. */
export function aadErrorBody(failure: AadError, now: number, ids: Ids): AadErrorBody {
  const timestamp = `${new Date(now).toISOString().slice(0, 19).replace('T', ' ')}Z`;
  const traceId = ids.guid();
  const correlationId = ids.guid();
  return {
    error: failure.error,
    error_description:
      `AADSTS${failure.code}: ${failure.message}\r\nTrace ID: ${traceId}\r\n` +
      `Correlation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [failure.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${failure.code}`,
  };
}

/** The failures the sandbox produces, by AADSTS number, with Microsoft's wording. */
export const AADSTS = {
  missingParameter: (name: string): AadError => ({
    error: 'invalid_request',
    code: 900144,
    message: `The request body must contain the following parameter: '${name}'.`,
  }),
  malformed: (): AadError => ({
    error: 'invalid_request',
    code: 9002313,
    message: 'Invalid request. Request is malformed or invalid.',
  }),
  tenantNotFound: (tenant: string): AadError => ({
    error: 'invalid_tenant',
    code: 90002,
    message: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  appNotFound: (clientId: string, tenant: string): AadError => ({
    error: 'unauthorized_client',
    code: 700016,
    message: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  redirectMismatch: (uri: string, clientId: string): AadError => ({
    error: 'invalid_request',
    code: 50011,
    message: `The redirect URI '${uri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
  }),
  noReplyAddress: (): AadError => ({
    error: 'invalid_request',
    code: 900971,
    message: 'No reply address provided.',
  }),
  missingSecret: (): AadError => ({
    error: 'invalid_client',
    code: 7000218,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  invalidSecret: (clientId: string): AadError => ({
    error: 'invalid_client',
    code: 7000215,
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  unsupportedGrantType: (grantType: string): AadError => ({
    error: 'unsupported_grant_type',
    code: 70003,
    message: `The app requested an unsupported grant type '${grantType}'.`,
  }),
  unsupportedResponseType: (): AadError => ({
    error: 'unsupported_response_type',
    code: 70005,
    message: "The application requested an unsupported response type: only 'code' is supported.",
  }),
  unsupportedResponseMode: (): AadError => ({
    error: 'invalid_request',
    code: 70007,
    message: "The application returned an unsupported value of 'response_mode' when requesting a token.",
  }),
  invalidScope: (scope: string): AadError => ({
    error: 'invalid_scope',
    code: 70011,
    message: `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  }),
  invalidCode: (): AadError => ({
    error: 'invalid_grant',
    code: 70000,
    message: "The provided value for the 'code' parameter is not valid.",
  }),
  invalidRefreshToken: (): AadError => ({
    error: 'invalid_grant',
    code: 9002313,
    message: 'Invalid request. Request is malformed or invalid.',
  }),
  codeRedeemed: (): AadError => ({
    error: 'invalid_grant',
    code: 54005,
    message:
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
  }),
  expiredGrant: (): AadError => ({
    error: 'invalid_grant',
    code: 70008,
    message:
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
  }),
  inactiveRefreshToken: (issued: number, inactiveMs: number): AadError => ({
    error: 'invalid_grant',
    code: 700082,
    message: `The refresh token has expired due to inactivity. The token was issued on ${new Date(issued).toISOString()} and was inactive for ${Math.floor(inactiveMs / 86_400_000)}.00:00:00.`,
  }),
  revokedGrant: (issued: number, validFrom: number): AadError => ({
    error: 'invalid_grant',
    code: 50173,
    message: `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${new Date(issued).toISOString()}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${new Date(validFrom).toISOString()}'.`,
  }),
  replyAddressMismatch: (): AadError => ({
    error: 'invalid_grant',
    code: 500112,
    message:
      'The reply address does not match the reply address provided when requesting Authorization code.',
  }),
  pkceMismatch: (): AadError => ({
    error: 'invalid_grant',
    code: 501481,
    message: 'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
  }),
  noTenantInRequest: (): AadError => ({
    error: 'invalid_request',
    code: 50059,
    message:
      'No tenant-identifying information found in either the request or implied by any provided credentials.',
  }),
  wrongTenant: (): AadError => ({
    error: 'invalid_grant',
    code: 700005,
    message:
      'Provided Authorization Code is intended to use against other tenant, thus rejected. OAuth2 Authorization Code must be redeemed against same tenant it was acquired for (/common or /{tenant-ID} as appropriate)',
  }),
  notConsented: (clientId: string, error = 'consent_required'): AadError => ({
    error,
    code: 65001,
    message: `The user or administrator has not consented to use the application with ID '${clientId}' named '${clientId}'. Send an interactive authorization request for this user and resource.`,
  }),
  declined: (): AadError => ({
    error: 'access_denied',
    code: 65004,
    message: 'User declined to consent to access the app.',
  }),
  loginRequired: (): AadError => ({
    error: 'login_required',
    code: 50058,
    message: 'A silent sign-in request was sent but no user is signed in.',
  }),
  userNotFound: (email: string): AadError => ({
    error: 'invalid_request',
    code: 50034,
    message: `The user account ${email} does not exist in the directory. To sign into this application, the account must be added to the directory.`,
  }),
  wrongAccountType: (email: string): AadError => ({
    error: 'invalid_request',
    code: 50020,
    message: `User account '${email}' from identity provider does not exist in tenant and cannot access the application in that tenant. The account needs to be added as an external user in the tenant first.`,
  }),
  adminApprovalNeeded: (clientId: string): AadError => ({
    error: 'consent_required',
    code: 90094,
    message: `The grant requires admin permission. ${clientId} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.`,
  }),
} as const;
