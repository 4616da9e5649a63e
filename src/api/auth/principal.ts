/**
 * Who is calling: set on the request by the authentication hook before any handler runs. `request.principal`
 * (the id) is what `requestContext` records on workflows (memo + Principal search attribute) and what the
 * logs and the quota are keyed by; `request.roles` is what RBAC checks against a route's `config.roles`.
 */
import type { Role } from '../../domain/roles';

export type AuthMode = 'apikey' | 'oidc' | 'gateway' | 'none';

export interface Principal {
  /** Stable id: the token's subject, the gateway's X-User-Id, `apikey:<name>`, or `anonymous`. */
  id: string;
  roles: Role[];
  /** How the caller proved it (the mode, or `anonymous` on a route open to everyone). */
  method: AuthMode;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** fluxo roles of the authenticated caller; empty until authentication ran. */
    roles?: Role[];
  }
  interface FastifyContextConfig {
    /**
     * A route with roles that may also be called without credentials (the codec endpoint when
     * CODEC_ENDPOINT_AUTH=none, for the dev server's Web UI, which has no login).
     */
    allowAnonymous?: boolean;
    /** Not metered by the per-principal quota (the codec endpoint: the Web UI calls it per page of events). */
    quotaExempt?: boolean;
  }
}
