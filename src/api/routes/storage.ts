/**
 * `GET /files/<key>?expires=&signature=`: serves the local storage backend's signed URLs (the GCS backend's
 * URLs point at GCS itself). The signature is the credential: a CDN or an app holding the URL has no fluxo
 * credentials, so the route sits outside /v1 (where every route needs a principal and a role) and checks
 * the HMAC itself, in constant time (verifySignedUrl).
 *
 *   200  the object's bytes, streamed, with its type, size, sha256 (ETag) and a cache lifetime (≤ 24 h)
 *   403  problem+json: the signature does not match (forged, altered key or expiry) or the URL has expired
 *   404  problem+json: a genuine URL whose object is gone
 *
 * The storage module signs paths under `/v1/storage/` (LOCAL_SIGNED_URL_PREFIX); the signature covers the key
 * and the expiry, not the prefix, so `servedUrl` moves a signed URL here unchanged otherwise.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidObjectKeyError, LOCAL_SIGNED_URL_PREFIX, ObjectNotFoundError, verifySignedUrl } from '../../stores/object-storage';
import type { ApiDeps } from '../deps';
import { notFound, ProblemError } from '../problem';

export const SIGNED_FILES_PREFIX = '/files/';

/** A signed URL from `storage.signedUrl` as this API serves it (GCS URLs are returned as they are). */
export const servedUrl = (url: string) => (url.startsWith(LOCAL_SIGNED_URL_PREFIX) ? `${SIGNED_FILES_PREFIX}${url.slice(LOCAL_SIGNED_URL_PREFIX.length)}` : url);

/** CDN TTL: at most a day (the seed's "CDN TTL 24 h"), never past the URL's own expiry. */
const MAX_CACHE_SECONDS = 24 * 3600;

const refused = (detail: string) => new ProblemError(403, 'signed-url-refused', 'Forbidden', detail);

/** The key exactly as signed: the path after the prefix, each segment percent-decoded. */
function keyOf(url: string): string | undefined {
  const path = url.split('?')[0]!.slice(SIGNED_FILES_PREFIX.length);
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
}

const firstValue = (value: unknown) => (Array.isArray(value) ? value[0] : value);

export async function storageRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const storage = deps.stores.objectStorage;

  app.get(
    `${SIGNED_FILES_PREFIX}*`,
    {
      schema: {
        tags: ['storage'],
        summary: 'Download an object through a signed, expiring URL (local storage backend)',
        description: 'The URL comes from an API answer (e.g. GET /v1/catalogo/current); no credentials needed, the signature is the permission.',
      },
    },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const expires = String(firstValue(query.expires) ?? '');
      const signature = String(firstValue(query.signature) ?? '');
      const key = keyOf(request.url);
      if (!key) throw refused('the URL does not carry a valid signature');
      const verdict = verifySignedUrl(key, expires, signature, deps.config.STORAGE_SIGNING_SECRET);
      if (verdict === 'forged') throw refused('the URL does not carry a valid signature');
      if (verdict === 'expired') throw refused(`the URL expired at ${new Date(Number(expires) * 1000).toISOString()}`);

      let head;
      let body;
      try {
        head = await storage.head(key);
        if (!head) throw notFound('the object this URL names no longer exists');
        body = await storage.get(key);
      } catch (error) {
        if (error instanceof ObjectNotFoundError || error instanceof InvalidObjectKeyError) throw notFound('the object this URL names no longer exists');
        throw error;
      }
      const remaining = Math.max(0, Number(expires) - Math.floor(Date.now() / 1000));
      reply
        .type(head.contentType)
        .header('content-length', String(head.size))
        .header('cache-control', `private, max-age=${Math.min(remaining, MAX_CACHE_SECONDS)}`);
      if (head.sha256) reply.header('etag', `"${head.sha256}"`);
      return reply.send(body);
    },
  );
}
