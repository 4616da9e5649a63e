/**
 * Credentials for Vertex AI requests, without google-auth-library (its current major, pulled in by
 * @langchain/google, declares Node ≥ 22; fluxo runs on Node 20):
 * - `metadata`: an access token from the GCE/GKE metadata server (Workload Identity), cached until it expires;
 * - `service-account`: a self-signed JWT from a service-account key (Google's "JWT access with scopes": no token
 *   exchange, so no network; the key's project is the default project);
 * - `api-key`: Vertex AI express mode (`x-goog-api-key`).
 */
import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT } from 'jose';

export const VERTEX_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface VertexAuth {
  readonly kind: 'metadata' | 'service-account' | 'api-key';
  /** Adds the credentials to a request's headers. */
  apply(headers: Headers, signal?: AbortSignal): Promise<void>;
  /** The project the credentials belong to, when they say (the key's project, the metadata server's). */
  projectId(signal?: AbortSignal): Promise<string | undefined>;
}

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
}

export function serviceAccountAuth(key: ServiceAccountKey, now: () => number = Date.now): VertexAuth {
  if (!key.client_email || !key.private_key) throw new Error('service-account key: client_email and private_key are required');
  let cached: { token: string; expiresAt: number } | undefined;
  let signingKey: ReturnType<typeof importPKCS8> | undefined;
  return {
    kind: 'service-account',
    async apply(headers) {
      const seconds = Math.floor(now() / 1000);
      // Re-sign a minute before expiry; a JWT signed once serves every call of the hour.
      if (!cached || cached.expiresAt - 60 <= seconds) {
        signingKey ??= importPKCS8(key.private_key, 'RS256');
        const token = await new SignJWT({ scope: VERTEX_SCOPE })
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) })
          .setIssuer(key.client_email)
          .setSubject(key.client_email)
          .setIssuedAt(seconds)
          .setExpirationTime(seconds + 3600)
          .sign(await signingKey);
        cached = { token, expiresAt: seconds + 3600 };
      }
      headers.set('authorization', `Bearer ${cached.token}`);
    },
    projectId: async () => key.project_id,
  };
}

export function serviceAccountAuthFromFile(file: string): VertexAuth {
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(readFileSync(file, 'utf8')) as ServiceAccountKey;
  } catch (error) {
    throw new Error(`ALERTS_LLM_CREDENTIALS_FILE ${file}: ${(error as Error).message}`);
  }
  return serviceAccountAuth(key);
}

export function apiKeyAuth(apiKey: string): VertexAuth {
  return {
    kind: 'api-key',
    async apply(headers) {
      headers.set('x-goog-api-key', apiKey);
    },
    projectId: async () => undefined,
  };
}

/** The metadata server; GCE_METADATA_HOST overrides its address as in Google's own libraries. */
export function metadataAuth(host = process.env.GCE_METADATA_HOST ?? 'metadata.google.internal', now: () => number = Date.now): VertexAuth {
  const base = `http://${host}/computeMetadata/v1`;
  let cached: { token: string; expiresAt: number } | undefined;
  let project: string | undefined;
  const get = async (path: string, signal?: AbortSignal) => {
    const response = await fetch(`${base}${path}`, { headers: { 'metadata-flavor': 'Google' }, signal });
    if (!response.ok) throw new Error(`metadata server answered ${response.status} for ${path}`);
    return response;
  };
  return {
    kind: 'metadata',
    async apply(headers, signal) {
      if (!cached || cached.expiresAt - 60_000 <= now()) {
        const body = (await (await get('/instance/service-accounts/default/token', signal)).json()) as { access_token: string; expires_in: number };
        cached = { token: body.access_token, expiresAt: now() + body.expires_in * 1000 };
      }
      headers.set('authorization', `Bearer ${cached.token}`);
    },
    async projectId(signal) {
      project ??= (await (await get('/project/project-id', signal)).text()).trim();
      return project;
    },
  };
}
