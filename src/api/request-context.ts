import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../domain/request-context';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Uses the caller's `X-Request-Id` when it is sane (so a trace spans systems), otherwise a new uuid. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

export function requestContext(request: FastifyRequest): RequestContext {
  return { requestId: String(request.id), principal: request.principal ?? 'anonymous' };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication; `anonymous` until then. */
    principal?: string;
  }
}
