/**
 * Security and operations (issue 10): see docs/security.md and docs/operations.md.
 */
import { z } from 'zod';
import { bool, csv, positiveInt } from './fields';

export const securitySettings = {
  /** How callers authenticate. Never `none` by default; `none` is refused when NODE_ENV=production. */
  AUTH_MODE: z.enum(['apikey', 'oidc', 'gateway', 'none']).default('apikey'),
  /** oidc: the provider's JWKS (Keycloak: <issuer>/protocol/openid-connect/certs), expected `iss` and `aud`. */
  AUTH_OIDC_JWKS_URL: z.url().optional(),
  AUTH_OIDC_ISSUER: z.string().min(1).optional(),
  AUTH_OIDC_AUDIENCE: csv.default([]),
  /** Accepted JWS algorithms; HS* only with AUTH_OIDC_HMAC_SECRET, `none` never. */
  AUTH_OIDC_ALGORITHMS: csv.default(['RS256', 'ES256']),
  AUTH_OIDC_HMAC_SECRET: z.string().min(32).optional(),
  AUTH_OIDC_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Dotted path of the roles array in the token (Keycloak realm roles: realm_access.roles). */
  AUTH_OIDC_ROLES_CLAIM: z.string().min(1).default('realm_access.roles'),
  AUTH_OIDC_PRINCIPAL_CLAIM: z.string().min(1).default('sub'),
  /** Least time between two JWKS fetches triggered by an unknown `kid` (key rotation). */
  AUTH_OIDC_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  /** gateway: addresses or CIDRs of the proxies whose X-User-Id / X-Roles are trusted. */
  AUTH_TRUSTED_PROXIES: csv.default([]),
  /** apikey: how long a verified key is remembered; a revocation takes effect within this time. */
  AUTH_APIKEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  /** Requests per principal per window (token bucket); 0 turns the quota off. */
  QUOTA_REQUESTS: z.coerce.number().int().min(0).default(200),
  QUOTA_WINDOW_SECONDS: positiveInt.default(60),
  /** Browser origins allowed to call the API (exact origins, e.g. https://ops.example.com). */
  CORS_ALLOWED_ORIGINS: csv.default([]),
  /** Payload encryption (AES-256-GCM): `keyId=base64(32 bytes)` pairs; empty = payloads stored as plain JSON. */
  PAYLOAD_ENCRYPTION_KEYS: z.string().default(''),
  /** The key new payloads are encrypted with; required when more than one key is listed. */
  PAYLOAD_ENCRYPTION_KEY_ID: z.string().optional(),
  /** `none` lets the dev server's Web UI (which has no login) call /codec/*; refused in production. */
  CODEC_ENDPOINT_AUTH: z.enum(['required', 'none']).default('required'),
  /** The worker process's /metrics (its business metrics and the Temporal runtime's); empty = off. */
  WORKER_METRICS_BIND_ADDRESS: z.string().default('127.0.0.1:9464'),
  /** Where the API's /metrics reads the worker's to append its temporal_* families; empty = not appended. */
  WORKER_METRICS_URL: z.union([z.literal(''), z.url()]).default('http://127.0.0.1:9464/metrics'),
  /** OpenTelemetry tracing (HTTP → client → workflow → activity), exported over OTLP/HTTP. Off by default. */
  TRACING_ENABLED: bool.default(false),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().default('http://127.0.0.1:4318/v1/traces'),
  OTEL_SERVICE_NAME: z.string().min(1).default('fluxo'),
};
