/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with a type a client
 * can match, a title, the status, a detail sentence and, for bad input, the offending field paths.
 */
export interface InvalidParam {
  /** Dotted path of the offending field, prefixed with where it was: `body.amount`, `query.limit`. */
  name: string;
  reason: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  invalid_params?: InvalidParam[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://fluxo.dev/problems/';

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    /** Short kebab-case kind, e.g. `validation`, `conflict`, `not-found`. */
    readonly kind: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> & { invalid_params?: InvalidParam[] } = {},
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  toBody(instance: string, requestId: string): ProblemBody {
    return {
      type: `${TYPE_BASE}${this.kind}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      instance,
      request_id: requestId,
      ...this.extensions,
    };
  }
}

export const badRequest = (detail: string, invalidParams: InvalidParam[] = []) =>
  new ProblemError(400, 'validation', 'Invalid request', detail, { invalid_params: invalidParams });
export const notFound = (detail: string) => new ProblemError(404, 'not-found', 'Not found', detail);
export const conflict = (detail: string, extensions: Record<string, unknown> = {}) =>
  new ProblemError(409, 'conflict', 'Conflict', detail, extensions);
export const serviceUnavailable = (detail: string, retryAfterSeconds?: number) =>
  new ProblemError(
    503,
    'unavailable',
    'Service unavailable',
    detail,
    {},
    retryAfterSeconds ? { 'retry-after': String(retryAfterSeconds) } : {},
  );
