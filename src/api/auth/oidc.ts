/**
 * `AUTH_MODE=oidc`: `Authorization: Bearer <JWT>` issued by an OpenID provider (Keycloak is the reference),
 * verified against the provider's JWKS: signature with an allowed algorithm (RS256/ES256 by default; `none`
 * never, HS* only with a configured secret), issuer, audience, expiry and not-before with a small clock skew.
 * An unknown `kid` refetches the JWKS (at most once per AUTH_OIDC_JWKS_COOLDOWN_MS), so the provider can
 * rotate its keys without a restart.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../../config';
import { serviceUnavailable } from '../problem';
import type { Authenticator } from './authenticator';
import { authorization, PRINCIPAL_ID } from './headers';
import { CredentialRejected } from './problems';
import { toRoles } from './roles';

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;
const SYMMETRIC = /^HS(256|384|512)$/;

export function createOidcAuthenticator(config: Config): Authenticator {
  const missing = [
    config.AUTH_OIDC_JWKS_URL ? undefined : 'AUTH_OIDC_JWKS_URL',
    config.AUTH_OIDC_ISSUER ? undefined : 'AUTH_OIDC_ISSUER',
    config.AUTH_OIDC_AUDIENCE.length > 0 ? undefined : 'AUTH_OIDC_AUDIENCE',
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`AUTH_MODE=oidc needs ${missing.join(', ')}`);
  const algorithms = config.AUTH_OIDC_ALGORITHMS;
  const unknown = algorithms.filter((alg) => !ASYMMETRIC.test(alg) && !SYMMETRIC.test(alg));
  if (unknown.length > 0) throw new Error(`AUTH_OIDC_ALGORITHMS: not allowed: ${unknown.join(', ')}`);
  const symmetric = algorithms.some((alg) => SYMMETRIC.test(alg));
  if (symmetric && !config.AUTH_OIDC_HMAC_SECRET) {
    throw new Error('AUTH_OIDC_ALGORITHMS lists an HS* algorithm but AUTH_OIDC_HMAC_SECRET is not set');
  }

  const jwks = createRemoteJWKSet(new URL(config.AUTH_OIDC_JWKS_URL!), {
    cooldownDuration: config.AUTH_OIDC_JWKS_COOLDOWN_MS,
    timeoutDuration: 5000,
  });
  const secret = symmetric ? new TextEncoder().encode(config.AUTH_OIDC_HMAC_SECRET) : undefined;
  // The algorithm allow-list is checked by jose before a key is chosen; the shared secret is only ever
  // offered for an HS* header, so a token signed with the public key as an HMAC secret cannot pass.
  const key: JWTVerifyGetKey = (header, token) => (secret && SYMMETRIC.test(header.alg ?? '') ? secret : jwks(header, token));

  return {
    mode: 'oidc',
    challenge: `Bearer realm="fluxo"`,
    async authenticate(request) {
      const auth = authorization(request);
      if (!auth) return undefined;
      if (auth.scheme !== 'bearer' || !auth.credentials) {
        throw new CredentialRejected('malformed', 'expected Authorization: Bearer <token>');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(auth.credentials, key, {
          algorithms,
          issuer: config.AUTH_OIDC_ISSUER,
          audience: config.AUTH_OIDC_AUDIENCE,
          clockTolerance: config.AUTH_OIDC_CLOCK_SKEW_SECONDS,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw rejection(error);
      }
      const id = claimAt(payload, config.AUTH_OIDC_PRINCIPAL_CLAIM);
      if (typeof id !== 'string' || !PRINCIPAL_ID.test(id)) {
        throw new CredentialRejected('invalid-claims', `token has no usable ${config.AUTH_OIDC_PRINCIPAL_CLAIM} claim`);
      }
      return { id, roles: toRoles(claimAt(payload, config.AUTH_OIDC_ROLES_CLAIM)), method: 'oidc' };
    },
  };
}

/** `realm_access.roles` → payload.realm_access.roles. */
export function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function rejection(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return new CredentialRejected('expired', 'token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = error.claim === 'iss' ? 'wrong-issuer' : error.claim === 'aud' ? 'wrong-audience' : 'invalid-claims';
    return new CredentialRejected(reason, `token rejected: ${error.message}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new CredentialRejected('bad-signature', 'token signature does not verify');
  if (error instanceof errors.JOSEAlgNotAllowed) return new CredentialRejected('algorithm-not-allowed', 'token algorithm is not allowed');
  if (error instanceof errors.JWKSNoMatchingKey) return new CredentialRejected('unknown-key', 'token was signed with a key the provider does not publish');
  // The provider's JWKS is unreachable: not the caller's fault, and not a reason to let anyone in.
  // (jose reports a non-200 or unparsable JWKS response as a plain JOSEError, token faults as its subclasses.)
  const providerFault = !(error instanceof errors.JOSEError) || error.code === 'ERR_JOSE_GENERIC';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || providerFault) {
    return serviceUnavailable(`cannot verify tokens: the identity provider's keys are unavailable (${(error as Error).message})`, 5);
  }
  return new CredentialRejected('malformed', `token rejected: ${error.message}`);
}
