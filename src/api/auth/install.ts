/**
 * The API's security layer, installed once on the root instance before any route module, so it applies to
 * every route, including routes added later by other domains (no route module has to do anything):
 *   tracing context → CORS → authentication + RBAC (route `config.roles`) → quota → handler.
 * `/health`, `/ready`, `/metrics`, `/docs` and `/openapi.json` declare no roles and stay open; every /v1 and
 * /internal URL requires a principal, even one no route matches (so a 404 does not reveal routes to strangers).
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { Role } from '../../domain/roles';
import { authDecisions } from '../../observability/security-metrics';
import { installHttpTracing } from '../../observability/http-tracing';
import { installCors } from '../cors/install';
import type { ApiDeps } from '../deps';
import { installQuota } from '../quota/install';
import { createAuthenticator } from './create-authenticator';
import type { Principal } from './principal';
import { CredentialRejected, forbidden, unauthorized } from './problems';
import { isAllowed } from './roles';

export interface SecuredRoute {
  method: string;
  url: string;
  roles: Role[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route that declares roles, as registered: the route → roles table (GET /v1/auth/routes, tests). */
    securedRoutes: SecuredRoute[];
  }
}

const PROTECTED_PREFIX = /^\/(v1|internal)(\/|$|\?)/;

export async function installSecurity(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { config, logger } = deps;
  const authenticator = createAuthenticator(config, deps.stores);
  if (authenticator.mode === 'none') {
    const warning = 'AUTH_MODE=none: the API accepts anyone as admin. Development only; never expose this process.';
    logger.warn({ authMode: 'none' }, warning);
    if (config.NODE_ENV !== 'test') process.stderr.write(`\n*** WARNING: ${warning} ***\n\n`);
  }
  if (config.CODEC_ENDPOINT_AUTH === 'none' && config.NODE_ENV === 'production') {
    throw new Error('CODEC_ENDPOINT_AUTH=none is refused when NODE_ENV=production');
  }

  app.decorate('authenticator', authenticator);
  const securedRoutes: SecuredRoute[] = [];
  app.decorate('securedRoutes', securedRoutes);
  app.addHook('onRoute', (route) => {
    const roles = route.config?.roles;
    if (!roles) return;
    // OpenAPI: the route needs a bearer credential (Swagger UI's "Authorize" then sends it).
    if (route.schema && !route.config?.allowAnonymous) route.schema = { ...route.schema, security: [{ bearerAuth: [] }] };
    for (const method of ([] as HTTPMethods[]).concat(route.method)) securedRoutes.push({ method, url: route.url, roles });
  });

  installHttpTracing(app, config);
  installCors(app, config);

  app.addHook('onRequest', async (request) => {
    const routeConfig = request.routeOptions.config;
    const allowed = routeConfig?.roles;
    if (allowed === undefined && !PROTECTED_PREFIX.test(request.url)) return;
    const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
    if (routeConfig?.allowAnonymous) {
      request.principal = 'anonymous';
      request.roles = [];
      return;
    }

    let principal: Principal | undefined;
    try {
      principal = await authenticator.authenticate(request);
    } catch (error) {
      if (!(error instanceof CredentialRejected)) throw error;
      authDecisions.inc({ mode: authenticator.mode, outcome: 'unauthenticated', reason: error.reason });
      request.log.warn({ reason: error.reason, route, peer: request.socket.remoteAddress }, `credential rejected: ${error.message}`);
      throw unauthorized(error.message, `${authenticator.challenge}, error="invalid_token"`);
    }
    if (!principal) {
      authDecisions.inc({ mode: authenticator.mode, outcome: 'unauthenticated', reason: 'missing' });
      throw unauthorized(`${route} requires authentication (${describeMode(authenticator.mode)})`, authenticator.challenge);
    }

    request.principal = principal.id;
    request.roles = principal.roles;
    // Every later log line of this request (handlers, Fastify's own completion line) names the caller.
    request.log = request.log.child({ principal: principal.id });
    if (allowed !== undefined && !isAllowed(principal.roles, allowed)) {
      authDecisions.inc({ mode: authenticator.mode, outcome: 'forbidden', reason: 'role' });
      request.log.warn({ route, roles: principal.roles, allowed }, 'forbidden: no allowed role');
      throw forbidden(`${principal.id} may not call ${route}: it needs one of the roles ${allowed.join(', ')}`);
    }
    authDecisions.inc({ mode: authenticator.mode, outcome: 'ok', reason: '' });
  });

  installQuota(app, config);
}

function describeMode(mode: Principal['method']): string {
  switch (mode) {
    case 'apikey':
      return 'send Authorization: Bearer <api key>';
    case 'oidc':
      return 'send Authorization: Bearer <access token>';
    case 'gateway':
      return 'call through the API gateway';
    default:
      return mode;
  }
}
