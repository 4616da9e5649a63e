/**
 * Indexes for every query the insights API and workers make, created idempotently by the first activity a
 * worker process runs (and again after a failure): MongoDB through `ensureIndexes`, Neo4j with
 * `IF NOT EXISTS`. Real MongoDB uses them all; FerretDB 1.24 on SQLite accepts them but pushes down only
 * `{ _id }` filters, which is why the hot paths address documents by `_id` only (and even those scan unless
 * the `_id` expression index is added: docs/insights.md, "FerretDB and `_id` lookups").
 */
import { insightCollections } from '../../domain/insights/store-layout';
import type { IndexSpec, MongoStore } from '../../stores/mongo';
import { Neo4jStoreError, type Neo4jStore } from '../../stores/neo4j';

export const INSIGHT_INDEXES: IndexSpec[] = [
  // GET /v1/users/{id}/insights: newest first, keyset-paginated on (created_at, _id).
  { key: { user_id: 1, created_at: -1, _id: -1 }, name: 'user_created' },
  // GET /v1/tags/{tag}/insights (multikey on tags).
  { key: { tags: 1, created_at: -1, _id: -1 }, name: 'tag_created' },
  // The weekly digest scans one period.
  { key: { created_at: -1 }, name: 'created' },
];

export const DIGEST_INDEXES: IndexSpec[] = [{ key: { user_id: 1, period_end: -1 }, name: 'user_period' }];

/** Uniqueness by key makes MERGE safe under concurrency and gives each lookup by key an index. */
export const GRAPH_SCHEMA = [
  'CREATE CONSTRAINT insight_key IF NOT EXISTS FOR (n:Insight) REQUIRE n.key IS UNIQUE',
  'CREATE CONSTRAINT insight_user_key IF NOT EXISTS FOR (n:User) REQUIRE n.key IS UNIQUE',
  'CREATE CONSTRAINT insight_tag_key IF NOT EXISTS FOR (n:Tag) REQUIRE n.key IS UNIQUE',
  'CREATE CONSTRAINT insight_keyword_key IF NOT EXISTS FOR (n:Keyword) REQUIRE n.key IS UNIQUE',
  // The reconciliation and the nightly recomputation page through one scope's insights in id order.
  'CREATE INDEX insight_scope_id IF NOT EXISTS FOR (n:Insight) ON (n.scope, n.id)',
  // Pruning of nodes left without edges, per scope.
  'CREATE INDEX insight_tag_scope IF NOT EXISTS FOR (n:Tag) ON (n.scope)',
  'CREATE INDEX insight_keyword_scope IF NOT EXISTS FOR (n:Keyword) ON (n.scope)',
  'CREATE INDEX insight_user_scope IF NOT EXISTS FOR (n:User) ON (n.scope)',
];

export async function ensureInsightIndexes(mongo: MongoStore): Promise<void> {
  await mongo.ensureIndexes(insightCollections.insights, INSIGHT_INDEXES);
  await mongo.ensureIndexes(insightCollections.digests, DIGEST_INDEXES);
}

export async function ensureGraphSchema(neo4j: Neo4jStore): Promise<void> {
  for (const statement of GRAPH_SCHEMA) {
    try {
      await neo4j.write(statement);
    } catch (error) {
      // Two workers creating the same rule at once: the loser is told it exists, which is what it wanted.
      if (error instanceof Neo4jStoreError && error.code === 'Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists') continue;
      throw error;
    }
  }
}

/** Once per process per store: the first caller runs it, the others wait for it; a failure is retried next call. */
export function schemaOnce(ensure: () => Promise<void>, name: string): () => Promise<void> {
  let done = false;
  let running: Promise<void> | undefined;
  return async () => {
    if (done) return;
    running ??= ensure().then(
      () => {
        done = true;
      },
      (error: unknown) => {
        running = undefined;
        throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      },
    );
    await running;
  };
}
