/**
 * Who is asking, for the requester and approver rules. The authenticated principal always wins. Until the API
 * has authentication (issue 10), a caller is `anonymous` and may name itself in the body (`requested_by`,
 * `approver`) — a DEVELOPMENT-ONLY fallback; once a principal is set, a body name that differs is refused.
 * When security lands it sets `request.principal` and the caller's roles; only `callerOf` in the route changes.
 */
import type { Role } from '../roles';

export const ANONYMOUS = 'anonymous';

export interface Caller {
  /** From authentication; undefined or `anonymous` while there is none. */
  principal: string | undefined;
  /** From authentication; undefined while there is none. */
  roles: Role[] | undefined;
}

export type Actor =
  | { ok: true; id: string; roles: Role[]; viaFallback: boolean }
  | { ok: false; reason: 'missing' | 'impersonation'; detail: string };

/**
 * `claimed` is the body's dev-only name; `routeRoles` are the roles the route admits, which a caller that
 * reached the route is taken to hold while there is no authentication to say otherwise.
 */
export function resolveActor(caller: Caller, claimed: string | undefined, field: string, routeRoles: Role[]): Actor {
  const authenticated = caller.principal !== undefined && caller.principal !== ANONYMOUS;
  if (authenticated) {
    if (claimed !== undefined && claimed !== caller.principal) {
      return { ok: false, reason: 'impersonation', detail: `${field} (${claimed}) is not the authenticated caller (${caller.principal})` };
    }
    return { ok: true, id: caller.principal!, roles: caller.roles ?? [], viaFallback: false };
  }
  if (claimed === undefined) {
    return { ok: false, reason: 'missing', detail: `${field} is required while the API has no authentication (development only)` };
  }
  return { ok: true, id: claimed, roles: caller.roles ?? routeRoles, viaFallback: true };
}
