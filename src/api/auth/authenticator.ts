/** The contract every authentication mode implements, and the choice of mode from config. */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import type { Stores } from '../../stores';
import { createApiKeyAuthenticator } from './apikey';
import { createGatewayAuthenticator } from './gateway';
import { createNoneAuthenticator } from './none';
import { createOidcAuthenticator } from './oidc';
import type { AuthMode, Principal } from './principal';

export interface Authenticator {
  mode: AuthMode;
  /** The WWW-Authenticate challenge sent with a 401. */
  challenge: string;
  /**
   * The caller's principal; `undefined` when the request carries no credential at all. Throws
   * CredentialRejected for a credential that is present but not acceptable.
   */
  authenticate(request: FastifyRequest): Promise<Principal | undefined>;
  /** Drops remembered credentials (after a revocation in this process). */
  forget?(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticator: Authenticator;
  }
}

/** Throws (one line, at start-up) when the chosen mode is missing a setting or not allowed here. */
export function createAuthenticator(config: Config, stores: Stores): Authenticator {
  switch (config.AUTH_MODE) {
    case 'oidc':
      return createOidcAuthenticator(config);
    case 'gateway':
      return createGatewayAuthenticator(config);
    case 'apikey':
      return createApiKeyAuthenticator(config, stores.postgres.pool());
    case 'none':
      if (config.NODE_ENV === 'production') {
        throw new Error('AUTH_MODE=none is refused when NODE_ENV=production: choose oidc, gateway or apikey');
      }
      return createNoneAuthenticator();
  }
}
