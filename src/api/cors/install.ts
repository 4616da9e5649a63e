/**
 * CORS with an allow-list: browsers on CORS_ALLOWED_ORIGINS may call the API; the Temporal Web UI's origin
 * (TEMPORAL_UI_URL) may also call the codec endpoint, which is how the UI decodes encrypted payloads. Other
 * origins get no CORS headers (the browser blocks them) and their preflights a 403.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config';
import { ProblemError } from '../problem';

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const EXPOSED_HEADERS = 'x-request-id, retry-after, ratelimit-limit, ratelimit-remaining, location';
const CODEC_PATH = /^\/codec(\/|$)/;

export function parseOrigin(value: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable}: ${value} is not an origin like https://ops.example.com`);
  }
  if (url.origin === 'null' || url.origin !== value.replace(/\/$/, '')) {
    throw new Error(`${variable}: ${value} is not an origin like https://ops.example.com (scheme, host and port only)`);
  }
  return url.origin;
}

export function installCors(app: FastifyInstance, config: Config): void {
  const apiOrigins = new Set(config.CORS_ALLOWED_ORIGINS.map((origin) => parseOrigin(origin, 'CORS_ALLOWED_ORIGINS')));
  const codecOrigins = new Set([...apiOrigins, new URL(config.TEMPORAL_UI_URL).origin]);

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin) return;
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    const path = request.url.split('?')[0] ?? '';
    const allowed = (CODEC_PATH.test(path) ? codecOrigins : apiOrigins).has(origin);
    if (!allowed) {
      if (preflight) throw new ProblemError(403, 'cors-origin-not-allowed', 'Origin not allowed', `origin ${origin} is not in the CORS allow-list`);
      return;
    }
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    // The Web UI may send cookies or its bearer token to the codec endpoint ("include credentials").
    reply.header('access-control-allow-credentials', 'true');
    reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    if (!preflight) return;
    reply.header('access-control-allow-methods', ALLOWED_METHODS);
    const requested = request.headers['access-control-request-headers'];
    if (requested) reply.header('access-control-allow-headers', requested);
    reply.header('access-control-max-age', '600');
    return reply.code(204).send();
  });

  // Preflights need a route to land on; the hook above answers them before this handler would run.
  app.options('*', { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
}
