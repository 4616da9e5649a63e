/** OpenAPI 3 generated from the routes' zod schemas: `/openapi.json` and the docs page at `/docs`. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { documentProblems } from './openapi-problems';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'fluxo API',
        version: '0.1.0',
        description: 'Starts, signals and queries fluxo\'s Temporal workflows. Errors are application/problem+json.',
      },
      // Routes with roles require it (src/api/auth/install.ts): an API key or an access token (docs/security.md).
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key (fxk_…) or OIDC access token' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) => documentProblems('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
