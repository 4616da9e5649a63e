/**
 * Neo4j stopped while insights are processed (FLUXO_TEST_SERVICES=postgres,temporal,mongo,neo4j): the graph
 * step is retried and the insight completes once Neo4j is back; an insight whose retry window runs out is
 * marked failed with the reason. Nothing is lost meanwhile: the documents wait in MongoDB as `processing`.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { insightCollections, type InsightDocument } from '../../src/domain/insights/store-layout';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { cleanInsightStores, graphNode, processed, waitForInsight } from '../support/insights';
import { stackDown, stackUp } from '../support/stack';

const RUN = randomUUID().slice(0, 8);
let api: TestApi;
let shortWindowApi: TestApi;
let workers: TestWorkers;
let client: Client;

beforeAll(async () => {
  api = await startTestApi({ QUOTA_REQUESTS: '0' });
  // Same workers, but insights accepted by this API give the graph step only 5 seconds.
  shortWindowApi = await startTestApi({ QUOTA_REQUESTS: '0', INSIGHTS_GRAPH_RETRY_WINDOW_SECONDS: '5' });
  await cleanInsightStores(api.stores);
  // Short driver retries, so each attempt against the stopped server fails within seconds.
  workers = await startTestWorkers(['insights'], { NEO4J_MAX_RETRY_TIME_MS: '2000', NEO4J_TIMEOUT_MS: '2000' });
  client = api.temporal.client;
}, 120_000);
afterAll(async () => {
  stackUp('neo4j');
  await shortWindowApi?.close();
  await api?.close();
  await workers?.stop();
}, 180_000);

/**
 * The graph step's attempts as the workflow history records them: each local-activity marker carries its
 * attempt number (core's marker data) and, for a failed attempt, the failure.
 */
async function graphAttempts(workflowId: string): Promise<Array<{ attempt: number; failed: boolean }>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const attempts: Array<{ attempt: number; failed: boolean }> = [];
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    const payload = marker?.details?.data?.payloads?.[0]?.data;
    if (!payload) continue;
    const data = JSON.parse(Buffer.from(payload).toString('utf8')) as { activity_type?: string; attempt?: number };
    if (data.activity_type !== 'writeInsightGraph') continue;
    attempts.push({ attempt: data.attempt ?? 0, failed: Boolean(marker.failure) });
  }
  return attempts;
}

const create = (target: TestApi, title: string) => {
  const id = randomUUID();
  return fetch(`${target.url}/v1/insights`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, user_id: `outage-${RUN}`, title, content: `${title}: grafo indisponível durante o processamento.`, tags: ['resiliencia'] }),
  }).then((response) => {
    expect(response.status).toBe(202);
    return id;
  });
};

test('the graph step retries while Neo4j is down and completes when it is back; a spent retry window marks the insight failed', async () => {
  const documents = api.stores.mongo.collection<InsightDocument>(insightCollections.insights);
  stackDown('neo4j');
  let patient: string;
  let impatient: string;
  try {
    patient = await create(api, 'Paciente');
    impatient = await create(shortWindowApi, 'Impaciente');

    // The document waits as processing while the graph step keeps failing and being retried: a local
    // activity, so its attempts show up as local-activity markers (and back-off timers) in the history.
    await eventually(async () => {
      const attempts = await graphAttempts(`insight-${patient}`);
      return attempts.some((attempt) => attempt.failed) ? attempts : undefined;
    }, 180_000, 1000);
    expect(await documents.findOne({ _id: patient })).toMatchObject({ status: 'processing', revision: 1 });

    const failed = await waitForInsight(api, impatient, (body) => body.status === 'failed', 120_000);
    expect(failed.failure.step).toBe('graph');
    expect(failed.failure.reason).toMatch(/timed out|neo4j/i);
  } finally {
    stackUp('neo4j');
  }

  const done = await waitForInsight(api, patient, processed(1), 180_000);
  expect(done.failure).toBeNull();
  expect(await graphNode(api.stores, patient)).toMatchObject({ revision: 1, tags: ['resiliencia'] });
  // The attempt that wrote the graph came after failed ones.
  const attempts = await graphAttempts(`insight-${patient}`);
  expect(attempts.some((attempt) => attempt.failed)).toBe(true);
  expect(attempts.at(-1)).toMatchObject({ failed: false });
  expect(attempts.at(-1)!.attempt).toBeGreaterThanOrEqual(2);
  const result = await client.workflow.getHandle(`insight-${patient}`).result();
  expect(result.outcomes).toEqual([{ changeId: `create:${patient}`, kind: 'create', outcome: 'processed', revision: 1 }]);

  // The failed one is still failed (the hourly reconciliation re-drives it; see insights-reconciliation).
  expect(await documents.findOne({ _id: impatient })).toMatchObject({ status: 'failed' });
  expect(await graphNode(api.stores, impatient)).toBeNull();
}, 600_000);
