/**
 * What the routes' zod schemas cannot say in the OpenAPI document: that every error is a problem document
 * (RFC 9457, src/api/problem.ts), the statuses that mean something particular on a route (the ledger's 409,
 * 423 and 503), and the bodies that are streamed rather than parsed (the catalog's CSV). The document only: the
 * routes' validation and serialisation are untouched.
 */

type Operation = { responses?: Record<string, unknown>; requestBody?: unknown };
type OpenApiDocument = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
};

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'https://fluxo.dev/problems/validation' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    request_id: { type: 'string' },
    invalid_params: {
      type: 'array',
      items: { type: 'object', required: ['name', 'reason'], properties: { name: { type: 'string', example: 'body.amount' }, reason: { type: 'string' } } },
    },
  },
};

const problem = (description: string, headers?: Record<string, unknown>) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  ...(headers ? { headers } : {}),
});

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } };

/** Statuses with a meaning of their own, by route and method. */
const routeProblems: Record<string, Record<string, Record<string, ReturnType<typeof problem>>>> = {
  '/v1/lancamentos': {
    post: {
      409: problem('The request_id was accepted before with different content'),
      423: problem('The account is blocked (a confirmed alert): no new entries for it'),
      503: problem("The account's shard buffer is full or not answering, or the blocks cannot be read: try again later", retryAfter),
    },
  },
  '/v1/lancamentos/batch': {
    post: {
      423: problem('An account of the batch is blocked (a confirmed alert): nothing of the batch is taken'),
      // A full shard refuses its entries one by one (status `unavailable` in the 200 answer, with Retry-After).
      503: problem('The account blocks cannot be read (PostgreSQL unavailable): nothing of the batch is taken', retryAfter),
    },
  },
};

/** Bodies the route reads as a stream, so its schema declares none. */
const streamedBodies: Record<string, Record<string, unknown>> = {
  '/v1/catalogo/sync': {
    post: {
      required: false,
      description: 'A CSV to import before publishing, or a CSV already in storage, or nothing (publish as it is)',
      content: {
        'text/csv': { schema: { type: 'string', format: 'binary' } },
        'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } },
        'application/json': { schema: { type: 'object', required: ['source_uri'], properties: { source_uri: { type: 'string', example: 'gs://fluxo/imports/catalog.csv' } } } },
      },
    },
  },
};

export function documentProblems<T extends object>(generated: T): T {
  const document = generated as OpenApiDocument;
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, Problem: problemSchema };
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      operation.responses = {
        ...operation.responses,
        ...routeProblems[path]?.[method],
        '4XX': problem('Bad input (naming each offending field), missing or refused credentials, not found, conflict'),
        '5XX': problem('A store fluxo needs is unavailable'),
      };
      const body = (streamedBodies[path] as Record<string, unknown> | undefined)?.[method];
      if (body && !operation.requestBody) operation.requestBody = body;
    }
  }
  return generated;
}
