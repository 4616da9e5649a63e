/**
 * The weekly digest as the schedule runs it (FLUXO_TEST_SERVICES=postgres,temporal,mongo,neo4j): the registry's
 * `insights-digest-weekly` definition applied under a test id and triggered, the workflow builds one digest per
 * user of the 7 days before the schedule's time, stored in MongoDB and served by GET /v1/users/{id}/digest.
 */
import { randomUUID } from 'node:crypto';
import { applySchedules } from '../../src/workers/schedules/apply';
import { INSIGHTS_DIGEST_SCHEDULE_ID, insightSchedules } from '../../src/workers/schedules/insights';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { json } from '../support/http';
import { cleanInsightStores, processed, waitForInsight } from '../support/insights';

const RUN = randomUUID().slice(0, 8);
const scheduleId = `test-insights-digest-${RUN}`;
let api: TestApi;
let workers: TestWorkers;

beforeAll(async () => {
  api = await startTestApi({ QUOTA_REQUESTS: '0' });
  await cleanInsightStores(api.stores);
  workers = await startTestWorkers(['insights']);
}, 120_000);
afterAll(async () => {
  await api?.temporal.client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
  await api?.close();
  await workers?.stop();
});

async function create(userId: string, title: string, tags: string[]): Promise<string> {
  const id = randomUUID();
  const response = await fetch(`${api.url}/v1/insights`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, user_id: userId, title, content: `${title}. Resumo semanal de insights por usuário.`, tags }),
  });
  expect(response.status).toBe(202);
  return id;
}

test('the digest schedule, triggered, stores a digest per user and the API serves it', async () => {
  const eva = `eva-${RUN}`;
  const ivo = `ivo-${RUN}`;
  const ids = [
    await create(eva, 'Open finance avança', ['open-finance', 'bancos']),
    await create(eva, 'Bancos digitais crescem', ['bancos']),
    await create(ivo, 'Cafés do cerrado', ['cafe']),
  ];
  for (const id of ids) await waitForInsight(api, id, processed(1));
  expect((await fetch(`${api.url}/v1/users/${eva}/digest`)).status).toBe(404);

  // The registry's definition as is, under a test id and a time that never comes during the test.
  const definition = insightSchedules.find((schedule) => schedule.id === INSIGHTS_DIGEST_SCHEDULE_ID)!;
  expect(definition).toMatchObject({ workflowType: 'insightsWeeklyDigestWorkflow', taskQueue: 'insights', spec: { cronExpressions: ['0 8 * * 1'] } });
  await applySchedules(api.temporal.client, [
    { ...definition, id: scheduleId, workflowId: scheduleId, spec: { cronExpressions: ['0 0 1 1 *'], timezone: 'UTC' } },
  ]);
  const triggeredAt = Date.now();
  await api.temporal.client.schedule.getHandle(scheduleId).trigger();

  const digest = await eventually(async () => {
    const response = await fetch(`${api.url}/v1/users/${eva}/digest`);
    return response.status === 200 ? json(response) : undefined;
  }, 180_000, 500);
  expect(digest).toMatchObject({
    user_id: eva,
    insight_count: 2,
    top_tags: [
      { tag: 'bancos', count: 2 },
      { tag: 'open-finance', count: 1 },
    ],
  });
  expect(digest.insights.map((insight: { id: string }) => insight.id)).toEqual([ids[1], ids[0]]);
  expect(digest.top_keywords.map((keyword: { term: string }) => keyword.term)).toEqual(expect.arrayContaining(['bancos']));
  // The period is the 7 days before the schedule's nominal time (here: when it was triggered).
  const end = Date.parse(digest.period_end);
  expect(Math.abs(end - triggeredAt)).toBeLessThan(120_000);
  expect(end - Date.parse(digest.period_start)).toBe(7 * 24 * 3600 * 1000);

  const other = await json(await fetch(`${api.url}/v1/users/${ivo}/digest`));
  expect(other).toMatchObject({ user_id: ivo, insight_count: 1, top_tags: [{ tag: 'cafe', count: 1 }] });

  // The run is the schedule's: its workflow id starts with the schedule's prefix.
  const runs = [];
  for await (const run of api.temporal.client.workflow.list({ query: `WorkflowType = 'insightsWeeklyDigestWorkflow' AND WorkflowId STARTS_WITH '${scheduleId}'` })) runs.push(run);
  expect(runs.length).toBeGreaterThanOrEqual(1);
}, 600_000);
