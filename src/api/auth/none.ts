/**
 * `AUTH_MODE=none`: local development and other domains' tests only (refused in production, loud at start-up).
 * A caller may still say who it is with X-User-Id / X-Roles, which makes role rules testable without a
 * provider; without them it is `anonymous` with the admin role.
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
      if (!userId && roles === undefined) return { id: 'anonymous', roles: ['admin'], method: 'none' };
      return { id: userId || 'anonymous', roles: toRoles(roles), method: 'none' };
    },
  };
}
