/**
 * Insights test support: clean state in the test MongoDB database and the test graph scope, and waiting for
 * an insight to reach a status through the API. Neo4j Community has one database, shared with development,
 * the benchmark and other test runs: everything a test run writes is in its graph scope, which (like the
 * workers' default) is INSIGHTS_GRAPH_SCOPE or else the MongoDB database name, so cleaning one scope never
 * touches another run's nodes.
 */
import { graphScope, insightCollections } from '../../src/domain/insights/store-layout';
import type { Stores } from '../../src/stores';
import { eventually, type TestApi } from './app';
import { json } from './http';

/** The scope the workers of this test process write to (test/setup/env.ts sets MONGODB_DATABASE). */
export const TEST_SCOPE = graphScope(process.env.INSIGHTS_GRAPH_SCOPE ?? '', process.env.MONGODB_DATABASE ?? 'fluxo_test');

/** The development database (config default): never wiped by a test. */
const DEVELOPMENT_DATABASE = 'fluxo';

export async function cleanInsightStores(stores: Pick<Stores, 'mongo' | 'neo4j'>, scope = TEST_SCOPE): Promise<void> {
  const database = stores.mongo.db().databaseName;
  if (database === DEVELOPMENT_DATABASE || database !== process.env.MONGODB_DATABASE || scope === DEVELOPMENT_DATABASE) {
    throw new Error(`refusing to clean MongoDB database ${database} / graph scope ${scope}`);
  }
  for (const name of Object.values(insightCollections)) await stores.mongo.collection(name).deleteMany({});
  await stores.neo4j.write('MATCH (n) WHERE n.scope = $scope DETACH DELETE n', { scope });
}

/** GET /v1/insights/{id} until `accept(body)`; returns that body. */
export async function waitForInsight(api: TestApi, id: string, accept: (body: any) => boolean, timeoutMs = 180_000): Promise<any> {
  return eventually(async () => {
    const response = await fetch(`${api.url}/v1/insights/${id}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`GET /v1/insights/${id}: ${response.status} ${await response.text()}`);
    const body = await json(response);
    return accept(body) ? body : undefined;
  }, timeoutMs, 300);
}

export const processed = (revision = 1) => (body: any) => body.status === 'processed' && body.revision === revision;

export async function graphNode(stores: Pick<Stores, 'neo4j'>, id: string, scope = TEST_SCOPE) {
  const rows = await stores.neo4j.read<{ revision: number; title: string; tags: string[]; keywords: string[]; out: string[] }>(
    `MATCH (i:Insight {key: $key})
     RETURN i.revision AS revision, i.title AS title,
            [(i)-[:TAGGED]->(t) | t.name] AS tags,
            [(i)-[:MENTIONS]->(k) | k.term] AS keywords,
            [(i)-[:RELATED_TO]->(o) | o.id] AS out`,
    { key: `${scope}|${id}` },
  );
  return rows[0] ?? null;
}
