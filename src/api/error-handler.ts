/** Maps every error to problem+json: validation → 400 with field paths, known problems as thrown, the rest → 500. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ProblemError, type InvalidParam } from './problem';

const where: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

function invalidParams(error: FastifyError & { validationContext?: string }): InvalidParam[] {
  const prefix = where[error.validationContext ?? 'body'] ?? 'body';
  return (error.validation ?? []).map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const params = issue.params as { keys?: string[]; issue?: { keys?: string[] } } | undefined;
    // zod reports unknown keys on the parent object: name each key instead.
    const unknownKeys = params?.keys ?? params?.issue?.keys;
    if (issue.keyword === 'unrecognized_keys' && unknownKeys?.length) {
      return { name: [prefix, path, unknownKeys.join(',')].filter(Boolean).join('.'), reason: 'unknown field' };
    }
    return { name: [prefix, path].filter(Boolean).join('.'), reason: issue.message ?? 'invalid' };
  });
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemError): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send(problem.toBody(request.url.split('?')[0] ?? request.url, String(request.id)));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ProblemError) return sendProblem(reply, request, error);
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      const params = invalidParams(error as FastifyError);
      const detail = `invalid ${params.map((param) => `${param.name} (${param.reason})`).join('; ')}`;
      return sendProblem(reply, request, new ProblemError(400, 'validation', 'Invalid request', detail, { invalid_params: params }));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own client errors: body too large, bad JSON, wrong content type.
      const kind = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'payload-too-large' : 'bad-request';
      return sendProblem(reply, request, new ProblemError(status, kind, 'Bad request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, new ProblemError(500, 'internal', 'Internal server error', 'an unexpected error occurred; see the server log for this request id'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new ProblemError(404, 'not-found', 'Not found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
