/**
 * What the insights API reads: documents and digests from MongoDB by `_id` (indexed on FerretDB too), the
 * per-user and per-tag lists through their MongoDB indexes, related insights from Neo4j (index seek on the
 * insight's key, then its RELATED_TO edges in both directions: the score is symmetric, so an insight
 * processed later that ranks this one counts too).
 */
import type { Config } from '../../config';
import { decodeCursor, encodeCursor, type PageCursor } from '../../domain/insights/page-cursor';
import {
  digestId,
  graphKey,
  graphScope,
  insightCollections,
  type DigestDocument,
  type InsightDocument,
} from '../../domain/insights/store-layout';
import type { Stores } from '../../stores';
import type { Filter } from '../../stores/mongo';

export type InsightSummaryDoc = Pick<InsightDocument, '_id' | 'user_id' | 'title' | 'tags' | 'status' | 'created_at' | 'updated_at' | 'keywords'>;

export interface RelatedRow {
  [key: string]: unknown;
  id: string;
  title: string;
  user_id: string;
  score: number;
  shared_tags: string[];
}

const RELATED = `
MATCH (a:Insight {key: $key})-[r:RELATED_TO]-(b:Insight)
WITH a, b, max(r.score) AS score
ORDER BY score DESC, b.id ASC
LIMIT toInteger($limit)
RETURN b.id AS id, b.title AS title, b.user_id AS user_id, score,
       [(a)-[:TAGGED]->(t:Tag)<-[:TAGGED]-(b) | t.name] AS shared_tags`;

const SUMMARY_FIELDS = { user_id: 1, title: 1, tags: 1, status: 1, created_at: 1, updated_at: 1, keywords: 1 } as const;

export function createInsightReadModel(stores: Pick<Stores, 'mongo' | 'neo4j'>, config: Pick<Config, 'INSIGHTS_GRAPH_SCOPE' | 'MONGODB_DATABASE'>) {
  const scope = graphScope(config.INSIGHTS_GRAPH_SCOPE, config.MONGODB_DATABASE);
  const insights = () => stores.mongo.collection<InsightDocument>(insightCollections.insights);

  async function page(base: Filter<InsightDocument>, limit: number, cursor: PageCursor | null) {
    const filter: Filter<InsightDocument> = { ...base, status: { $ne: 'deleting' } };
    if (cursor) filter.$or = [{ created_at: { $lt: cursor.createdAt } }, { created_at: cursor.createdAt, _id: { $lt: cursor.id } }];
    const docs = (await insights()
      .find(filter, { projection: SUMMARY_FIELDS })
      .sort({ created_at: -1, _id: -1 })
      .limit(limit + 1)
      .toArray()) as InsightSummaryDoc[];
    const items = docs.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: docs.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last._id }) : null };
  }

  return {
    scope,
    get: (id: string) => insights().findOne({ _id: id }),
    /** The author alone (a create with an existing id is a repeat, or a conflict with another user), null when none. */
    owner: async (id: string) => (await insights().findOne({ _id: id }, { projection: { user_id: 1 } }))?.user_id ?? null,
    /** The processing status alone (a small projection of the document by \`_id\`), null when there is none. */
    status: async (id: string) => (await insights().findOne({ _id: id }, { projection: { status: 1 } }))?.status ?? null,
    byUser: (userId: string, limit: number, cursor: PageCursor | null) => page({ user_id: userId }, limit, cursor),
    byTag: (tag: string, limit: number, cursor: PageCursor | null) => page({ tags: tag }, limit, cursor),
    related: (id: string, limit: number) => stores.neo4j.read<RelatedRow>(RELATED, { key: graphKey(scope, id), limit }),
    latestDigest: (userId: string) =>
      stores.mongo.collection<DigestDocument>(insightCollections.digests).findOne({ _id: digestId(userId, 'latest') }),
    decodeCursor,
  };
}

export type InsightReadModel = ReturnType<typeof createInsightReadModel>;
