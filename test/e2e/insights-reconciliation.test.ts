/**
 * The hourly reconciliation against drift injected straight into the stores (FLUXO_TEST_SERVICES=postgres,
 * temporal,mongo,neo4j): a node deleted, a document deleted, an orphan node added, a stale node, a failed and
 * a stuck document. One run (paged, continuing as new) reports each finding, repairs them, and the next run
 * finds nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ReconcileResult } from '../../src/domain/insights/periodic';
import { insightCollections, type InsightDocument } from '../../src/domain/insights/store-layout';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { cleanInsightStores, graphNode, processed, TEST_SCOPE, waitForInsight } from '../support/insights';

const RUN = randomUUID().slice(0, 8);
let api: TestApi;
let workers: TestWorkers;
let client: Client;

beforeAll(async () => {
  api = await startTestApi({ QUOTA_REQUESTS: '0' });
  await cleanInsightStores(api.stores);
  // Documents in processing for more than a minute count as stuck in this file (default 15 minutes).
  workers = await startTestWorkers(['insights'], { INSIGHTS_STUCK_AFTER_SECONDS: '60' });
  client = api.temporal.client;
}, 120_000);
afterAll(async () => {
  await api?.close();
  await workers?.stop();
});

async function create(title: string, tags: string[]): Promise<string> {
  const id = randomUUID();
  const response = await fetch(`${api.url}/v1/insights`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, user_id: `recon-${RUN}`, title, content: `${title}: conteúdo sobre reconciliação de grafos e documentos.`, tags }),
  });
  expect(response.status).toBe(202);
  return id;
}

const reconcile = (suffix: string) =>
  client.workflow.execute('insightsReconcileWorkflow', {
    workflowId: `insights-reconcile-test-${RUN}-${suffix}`,
    taskQueue: 'insights',
    args: [{ pageSize: 2, pagesPerRun: 1 }],
  }) as Promise<ReconcileResult>;

test('drift injected into either store is found, reported and repaired', async () => {
  const documents = api.stores.mongo.collection<InsightDocument>(insightCollections.insights);
  const names = ['nodeDeleted', 'documentDeleted', 'staleNode', 'failed', 'stuck', 'healthy'] as const;
  const ids = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await create(`Insight ${name}`, ['drift', name.toLowerCase()])]))) as Record<
    (typeof names)[number],
    string
  >;
  for (const id of Object.values(ids)) await waitForInsight(api, id, processed(1));

  // Neo4j drift: a processed document's node is gone; a node whose document never existed; a node of an old revision.
  await api.stores.neo4j.write('MATCH (i:Insight {key: $key}) DETACH DELETE i', { key: `${TEST_SCOPE}|${ids.nodeDeleted}` });
  const orphan = randomUUID();
  await api.stores.neo4j.write(
    `MATCH (h:Insight {key: $healthy})
     CREATE (o:Insight {key: $key, id: $id, scope: $scope, revision: 1, title: 'orphan', tag_count: 0})-[:RELATED_TO {score: 0.5}]->(h)`,
    { healthy: `${TEST_SCOPE}|${ids.healthy}`, key: `${TEST_SCOPE}|${orphan}`, id: orphan, scope: TEST_SCOPE },
  );
  await api.stores.neo4j.write('MATCH (i:Insight {key: $key}) SET i.revision = 0', { key: `${TEST_SCOPE}|${ids.staleNode}` });
  // MongoDB drift: a document deleted behind the workflow's back; one failed; one stuck in processing.
  await documents.deleteOne({ _id: ids.documentDeleted });
  await documents.updateOne(
    { _id: ids.failed },
    { $set: { status: 'failed', status_at: new Date(), failure: { step: 'graph', reason: 'injected', at: new Date(), intent: 'process' } } },
  );
  await documents.updateOne({ _id: ids.stuck }, { $set: { status: 'processing', status_at: new Date(Date.now() - 3600_000) } });

  const report = await reconcile('first');
  expect(report.counts).toEqual({
    documentsChecked: 5,
    graphNodesChecked: 6,
    missingInGraph: 1,
    orphanNodes: 2,
    staleInGraph: 1,
    stuck: 1,
    failed: 1,
    redriven: 4,
    orphansDeleted: 2,
  });
  // Pages of two, one page per run: the walk continued as new.
  expect(report.runs).toBeGreaterThan(2);

  // Repaired: orphans gone with their edges, the others back through their own workflows.
  expect(await graphNode(api.stores, orphan)).toBeNull();
  expect(await graphNode(api.stores, ids.documentDeleted)).toBeNull();
  for (const name of ['nodeDeleted', 'staleNode', 'failed', 'stuck'] as const) {
    await eventually(async () => {
      const doc = await documents.findOne({ _id: ids[name] });
      const node = await graphNode(api.stores, ids[name]);
      return doc?.status === 'processed' && doc.failure === null && node?.revision === 1 ? true : undefined;
    }, 180_000, 500);
  }
  const healthyRelated = await api.stores.neo4j.read<{ ids: string[] }>(
    'MATCH (h:Insight {key: $key}) RETURN [(h)-[:RELATED_TO]-(o) | o.id] AS ids',
    { key: `${TEST_SCOPE}|${ids.healthy}` },
  );
  expect(healthyRelated[0]!.ids).not.toContain(orphan);

  const clean = await reconcile('second');
  expect(clean.counts).toMatchObject({ documentsChecked: 5, graphNodesChecked: 5, missingInGraph: 0, orphanNodes: 0, staleInGraph: 0, stuck: 0, failed: 0, redriven: 0 });
}, 600_000);
