import type { Role } from '../domain/roles';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Roles allowed to call the route. Required on every /v1 and /internal route (a test enforces it);
     * the authentication hook rejects callers without one of them (403).
     */
    roles?: Role[];
  }
}

export {};
