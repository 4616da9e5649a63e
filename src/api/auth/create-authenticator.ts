/** The authentication mode chosen by AUTH_MODE. */
import type { Config } from '../../config';
import type { Stores } from '../../stores';
import { createApiKeyAuthenticator } from './apikey';
import type { Authenticator } from './authenticator';
import { createGatewayAuthenticator } from './gateway';
import { createNoneAuthenticator } from './none';
import { createOidcAuthenticator } from './oidc';

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
