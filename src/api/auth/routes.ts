/**
 * `GET /v1/auth/me` (who am I, which roles), `GET /v1/auth/routes` (the route → roles table, admin) and API key
 * administration (`/v1/api-keys`, admin): list, create (the key is shown once), revoke.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { anyone, roles as knownRoles } from '../../domain/roles';
import type { ApiDeps } from '../deps';
import { conflict, notFound } from '../problem';
import '../route-config';
import { ApiKeyNameTaken, API_KEY_NAME, createApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from './api-key-store';
import './install';
import './principal';

const role = z.enum(knownRoles);
const apiKeyView = z.object({
  key_id: z.uuid(),
  name: z.string(),
  key_prefix: z.string(),
  roles: z.array(role),
  created_at: z.string(),
  created_by: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});

const view = (record: ApiKeyRecord): z.infer<typeof apiKeyView> => ({
  key_id: record.keyId,
  name: record.name,
  key_prefix: record.keyPrefix,
  roles: record.roles,
  created_at: record.createdAt,
  created_by: record.createdBy,
  expires_at: record.expiresAt,
  revoked_at: record.revokedAt,
  last_used_at: record.lastUsedAt,
});

export async function authRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const pool = () => deps.stores.postgres.pool();

  api.get(
    '/v1/auth/me',
    {
      config: { roles: anyone },
      schema: { tags: ['security'], summary: 'The authenticated principal and its roles', response: { 200: z.object({ principal: z.string(), roles: z.array(role) }) } },
    },
    async (request) => ({ principal: request.principal ?? 'anonymous', roles: request.roles ?? [] }),
  );

  api.get(
    '/v1/auth/routes',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['security'],
        summary: 'Which roles may call each route (the RBAC table)',
        response: { 200: z.object({ routes: z.array(z.object({ method: z.string(), url: z.string(), roles: z.array(role) })) }) },
      },
    },
    async () => ({
      routes: [...app.securedRoutes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method)),
    }),
  );

  api.get(
    '/v1/api-keys',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['security'],
        summary: 'API keys (never the keys themselves)',
        querystring: z.object({ include_revoked: z.enum(['true', 'false']).default('false') }).strict(),
        response: { 200: z.object({ api_keys: z.array(apiKeyView) }) },
      },
    },
    async (request) => ({ api_keys: (await listApiKeys(pool(), request.query.include_revoked === 'true')).map(view) }),
  );

  api.post(
    '/v1/api-keys',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['security'],
        summary: 'Create an API key; the key is in this response only',
        body: z
          .object({
            name: z.string().regex(new RegExp(API_KEY_NAME.source), 'letters, digits, _ . -; at most 63'),
            roles: z.array(role).min(1),
            expires_at: z.iso.datetime({ offset: true }).optional(),
          })
          .strict(),
        response: { 201: apiKeyView.extend({ key: z.string() }) },
      },
    },
    async (request, reply) => {
      try {
        const { key, record } = await createApiKey(pool(), {
          name: request.body.name,
          roles: [...new Set(request.body.roles)],
          createdBy: request.principal ?? 'anonymous',
          expiresAt: request.body.expires_at ? new Date(request.body.expires_at) : undefined,
        });
        request.log.info({ keyId: record.keyId, name: record.name, roles: record.roles }, 'API key created');
        return reply.code(201).send({ ...view(record), key });
      } catch (error) {
        if (error instanceof ApiKeyNameTaken) throw conflict(error.message);
        throw error;
      }
    },
  );

  api.delete(
    '/v1/api-keys/:key_id',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['security'], summary: 'Revoke an API key', params: z.object({ key_id: z.uuid() }), response: { 204: z.null() } },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(pool(), request.params.key_id, request.principal ?? 'anonymous'))) {
        throw notFound(`no live API key ${request.params.key_id}`);
      }
      // This process forgets it at once; other API processes within AUTH_APIKEY_CACHE_SECONDS.
      app.authenticator.forget?.();
      request.log.info({ keyId: request.params.key_id }, 'API key revoked');
      return reply.code(204).send(null);
    },
  );
}
