/**
 * `AUTH_MODE=none`: local development and other domains' tests only (refused in production, loud at start-up).
 * A caller may still say who it is with X-User-Id and narrow its roles with X-Roles, which makes principals and
 * role rules testable without a provider; whatever it does not say defaults to `anonymous` and the admin role.
 */
import type { Authenticator } from './authenticator';
import { headerValue } from './headers';
import { toRoles } from './roles';

export function createNoneAuthenticator(): Authenticator {
  return {
    mode: 'none',
    challenge: 'None',
    async authenticate(request) {
      const userId = headerValue(request.headers['x-user-id']);
      const roles = headerValue(request.headers['x-roles']);
      return { id: userId ?? 'anonymous', roles: roles === undefined ? ['admin'] : toRoles(roles), method: 'none' };
    },
  };
}
