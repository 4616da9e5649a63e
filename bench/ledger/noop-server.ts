/** The baseline: a Fastify server whose POST handler parses the JSON body and answers 202 at once. */
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/noop', async (_request, reply) => reply.code(202).send({ status: 'accepted' }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`listening ${address}\n`);
}

void main();
