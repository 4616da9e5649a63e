/** `/ready` names every store that does not answer; only Temporal and PostgreSQL make it 503. */
import { startTestApi } from '../support/app';
import { json } from '../support/http';

test('every store answers: ready', async () => {
  const api = await startTestApi();
  try {
    const response = await fetch(`${api.url}/ready`);
    const body = await json(response);
    expect(response.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.map((check: { name: string }) => check.name).sort()).toEqual(
      ['kafka', 'ledger-backlog', 'mongo', 'neo4j', 'object-storage', 'postgres', 'temporal'],
    );
  } finally {
    await api.close();
  }
});

test('PostgreSQL unreachable: 503 problem naming it', async () => {
  const api = await startTestApi({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none', DATABASE_CONNECT_TIMEOUT_MS: '500' });
  try {
    const response = await fetch(`${api.url}/ready`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    const problem = await json(response);
    expect(problem.detail).toMatch(/^down: postgres \(/);
    expect(problem.checks).toEqual(expect.arrayContaining([{ name: 'temporal', status: 'up' }]));
  } finally {
    await api.close();
  }
});

test.each([
  ['mongo', { MONGODB_URL: 'mongodb://127.0.0.1:1', MONGODB_TIMEOUT_MS: '500' }],
  ['neo4j', { NEO4J_URL: 'bolt://127.0.0.1:1', NEO4J_TIMEOUT_MS: '500' }],
  ['kafka', { KAFKA_BROKERS: '127.0.0.1:1', KAFKA_TIMEOUT_MS: '500' }],
])('%s unreachable: degraded, named, still 200', async (name, overrides) => {
  const api = await startTestApi(overrides);
  try {
    const response = await fetch(`${api.url}/ready`);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.status).toBe('degraded');
    expect(body.detail).toMatch(new RegExp(`^down: ${name} \\(`));
    expect(body.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name, status: 'down' })]));
  } finally {
    await api.close();
  }
}, 30_000);
