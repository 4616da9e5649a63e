/**
 * The nightly recomputation's steps (insightsRecomputeWorkflow): document frequencies rebuilt from every
 * document, keywords re-weighted with them page by page, related insights recomputed page by page from the
 * graph, then nodes no insight uses any more pruned. Each page is idempotent (a retried page recomputes the
 * same thing) and writes only what changed; graph writes are guarded by the insight's revision, so a page
 * never overwrites what a newer insight workflow wrote in the meantime.
 */
import { graphKey } from '../../domain/insights/store-layout';
import { compareTerms, keywordWeights, sameKeywords } from '../../domain/insights/keywords';
import type { MongoStore } from '../../stores/mongo';
import type { Neo4jStore } from '../../stores/neo4j';
import { beat, insightsOf } from './context';
import { computeRelated, pageInsightNodes, pruneUnusedNodes, REPLACE_KEYWORDS, REPLACE_RELATED, type RelatedEdge } from './graph-queries';
import { asActivityError } from './graph';
import { rebuildTermStats, type TermStatsCache } from './term-stats';

export interface PageInput {
  after: string | null;
  limit: number;
}

export interface PageResult {
  /** Cursor for the next page; null when this was the last. */
  next: string | null;
  scanned: number;
  changed: number;
}

const EXISTING_RELATED = `
UNWIND $keys AS key
MATCH (a:Insight {key: key})
RETURN a.id AS id, [(a)-[r:RELATED_TO]->(b:Insight) | {id: b.id, score: r.score}] AS related`;

const byScoreThenId = (a: { id: string; score: number }, b: { id: string; score: number }) => b.score - a.score || compareTerms(a.id, b.id);

function sameRelated(a: Array<{ id: string; score: number }>, b: Array<{ id: string; score: number }>): boolean {
  const left = [...a].sort(byScoreThenId);
  const right = [...b].sort(byScoreThenId);
  return left.length === right.length && left.every((item, i) => item.id === right[i]!.id && item.score === right[i]!.score);
}

export function createRecomputeActivities(
  stores: { mongo: MongoStore; neo4j: Neo4jStore },
  settings: { scope: string; topK: number; keywordsPerInsight: number },
  termStats: TermStatsCache,
  ensure: { indexes: () => Promise<void>; graph: () => Promise<void> },
) {
  const { mongo, neo4j } = stores;
  const { scope } = settings;

  return {
    async rebuildInsightTermStats(): Promise<{ documents: number; terms: number }> {
      await ensure.indexes();
      const result = await rebuildTermStats(mongo);
      await termStats.get({ fresh: true });
      return { documents: result.documents, terms: result.terms };
    },

    async reweightInsightKeywordsPage(input: PageInput): Promise<PageResult> {
      await ensure.graph();
      const stats = await termStats.get({ fresh: true });
      const docs = await insightsOf(mongo)
        .find({ _id: { $gt: input.after ?? '' } }, { projection: { status: 1, revision: 1, terms: 1, keywords: 1 } })
        .sort({ _id: 1 })
        .limit(input.limit)
        .toArray();
      const rows: Array<{ id: string; key: string; revision: number; keywords: ReturnType<typeof keywordWeights> }> = [];
      for (const [index, doc] of docs.entries()) {
        if (doc.status !== 'processed' || !doc.terms?.length) continue;
        const keywords = keywordWeights(doc.terms, stats, settings.keywordsPerInsight);
        if (!sameKeywords(keywords, doc.keywords ?? [])) {
          rows.push({ id: doc._id, key: graphKey(scope, doc._id), revision: doc.revision, keywords });
        }
        if (index % 100 === 0) beat({ after: input.after, index });
      }
      let written: string[] = [];
      if (rows.length > 0) {
        try {
          written = (await neo4j.write<{ id: string }>(REPLACE_KEYWORDS, { scope, rows })).map(({ id }) => id);
        } catch (error) {
          throw asActivityError(error);
        }
      }
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of written) {
        // Only documents whose node is at the same revision: the others are the reconciliation's to repair.
        await insightsOf(mongo).updateOne({ _id: id }, { $set: { keywords: byId.get(id)!.keywords } });
        beat({ after: input.after, writing: id });
      }
      return { next: docs.length < input.limit ? null : docs[docs.length - 1]!._id, scanned: docs.length, changed: written.length };
    },

    async recomputeRelatedPage(input: PageInput): Promise<PageResult> {
      await ensure.graph();
      try {
        const nodes = await pageInsightNodes(neo4j, scope, input.after ?? '', null, input.limit);
        if (nodes.length === 0) return { next: null, scanned: 0, changed: 0 };
        const keys = nodes.map((node) => node.key);
        beat({ after: input.after, step: 'scoring' });
        const existing = new Map(
          (await neo4j.read<{ id: string; related: Array<{ id: string; score: number }> }>(EXISTING_RELATED, { keys })).map((row) => [row.id, row.related]),
        );
        const computed = await neo4j.readTransaction((tx) => computeRelated(tx, keys, settings.topK));
        const rows: Array<{ id: string; key: string; revision: number | null; related: RelatedEdge[] }> = [];
        for (const node of nodes) {
          const related = computed.get(node.id) ?? [];
          if (!sameRelated(related, existing.get(node.id) ?? [])) rows.push({ id: node.id, key: node.key, revision: node.revision, related });
        }
        beat({ after: input.after, step: 'writing', changed: rows.length });
        const written = rows.length > 0 ? (await neo4j.write<{ id: string }>(REPLACE_RELATED, { rows })).map(({ id }) => id) : [];
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const id of written) {
          const related = byId.get(id)!.related.map(({ id: relatedId, score }) => ({ id: relatedId, score }));
          await insightsOf(mongo).updateOne({ _id: id }, { $set: { related } });
        }
        return { next: nodes.length < input.limit ? null : nodes[nodes.length - 1]!.id, scanned: nodes.length, changed: written.length };
      } catch (error) {
        throw asActivityError(error);
      }
    },

    async pruneInsightGraph(): Promise<{ deleted: number }> {
      await ensure.graph();
      try {
        return { deleted: await pruneUnusedNodes(neo4j, scope, 5000, (deleted) => beat({ deleted })) };
      } catch (error) {
        throw asActivityError(error);
      }
    },
  };
}
