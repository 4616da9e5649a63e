/**
 * The quota hook: after authentication, each principal spends one token per request on a protected route;
 * an empty bucket answers 429 problem+json with Retry-After. RateLimit-Limit/-Remaining tell clients where they stand.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config';
import { quotaRejections } from '../../observability/security-metrics';
import { ProblemError } from '../problem';
import '../auth/principal';
import { TokenBuckets } from './token-bucket';

export function installQuota(app: FastifyInstance, config: Config): void {
  if (config.QUOTA_REQUESTS === 0) return;
  const buckets = new TokenBuckets(config.QUOTA_REQUESTS, config.QUOTA_WINDOW_SECONDS * 1000);
  app.addHook('onRequest', async (request, reply) => {
    // Only authenticated requests have a principal; open routes (health, metrics, docs) are not metered.
    if (request.principal === undefined || request.routeOptions.config?.quotaExempt) return;
    const result = buckets.take(request.principal);
    reply.header('ratelimit-limit', String(buckets.limit));
    reply.header('ratelimit-remaining', String(result.remaining));
    if (result.allowed) return;
    quotaRejections.inc();
    request.log.warn({ retryAfterSeconds: result.retryAfterSeconds }, 'quota exceeded');
    throw new ProblemError(
      429,
      'quota-exceeded',
      'Too many requests',
      `${request.principal} used its quota of ${buckets.limit} requests per ${config.QUOTA_WINDOW_SECONDS} s; retry after ${result.retryAfterSeconds} s`,
      { retry_after_seconds: result.retryAfterSeconds },
      { 'retry-after': String(result.retryAfterSeconds) },
    );
  });
}
