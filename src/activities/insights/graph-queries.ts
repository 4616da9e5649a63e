/**
 * The insight graph in Cypher:
 *   (User {key, id})-[:AUTHORED]->(Insight {key, id, user_id, title, revision, tag_count, ...})
 *   (Insight)-[:TAGGED]->(Tag {key, name})     (Insight)-[:MENTIONS {weight}]->(Keyword {key, term})
 *   (Insight)-[:RELATED_TO {score, shared_tags}]->(Insight)   for the top-k of the source insight
 * Every node carries `scope` and is unique by `key` = `<scope>|<id>` (schema.ts), so lookups are index seeks
 * and concurrent MERGEs cannot create twins. Each insight's graph is replaced in one transaction.
 */
import { graphKey } from '../../domain/insights/store-layout';
import { KEYWORD_WEIGHT, SCORE_DECIMALS, TAG_WEIGHT, type RelatedRef } from '../../domain/insights/related-score';
import { compareTerms, round, type Keyword } from '../../domain/insights/keywords';
import type { Neo4jStore, Neo4jTx } from '../../stores/neo4j';

export interface InsightGraphInput {
  insightId: string;
  revision: number;
  userId: string;
  title: string;
  tags: string[];
  keywords: Keyword[];
  createdAt: string;
  updatedAt: string;
}

export interface RelatedEdge extends RelatedRef {
  key: string;
  sharedTags: number;
}

/**
 * The related-score formula of domain/insights/related-score.ts for each insight in `$keys`: candidates
 * reached through a shared Tag or a shared Keyword, Jaccard of the tag sets plus the dot product of the unit
 * keyword weights, best `$topK` by score then id.
 */
export const RELATED_FOR_KEYS = `
UNWIND $keys AS key
MATCH (a:Insight {key: key})
CALL {
  WITH a
  CALL {
    WITH a
    MATCH (a)-[:TAGGED]->(t:Tag)<-[:TAGGED]-(b:Insight)
    WHERE b <> a
    RETURN b, count(t) AS sharedTags, 0.0 AS keywordScore
    UNION ALL
    WITH a
    MATCH (a)-[ma:MENTIONS]->(:Keyword)<-[mb:MENTIONS]-(b:Insight)
    WHERE b <> a
    RETURN b, 0 AS sharedTags, sum(ma.weight * mb.weight) AS keywordScore
  }
  WITH a, b, sum(sharedTags) AS sharedTags, sum(keywordScore) AS keywordScore
  WITH b, sharedTags,
       $tagWeight * (CASE WHEN sharedTags = 0 THEN 0.0 ELSE toFloat(sharedTags) / (a.tag_count + b.tag_count - sharedTags) END)
       + $keywordWeight * keywordScore AS score
  WHERE score > 0
  RETURN b.id AS relatedId, b.key AS relatedKey, score, sharedTags
  ORDER BY score DESC, relatedId ASC
  LIMIT toInteger($topK)
}
RETURN a.id AS id, collect({id: relatedId, key: relatedKey, score: score, sharedTags: sharedTags}) AS related`;

type RelatedRow = { id: string; related: Array<{ id: string; key: string; score: number; sharedTags: number }> };

/** Rounded like the TypeScript formula, re-sorted after rounding so equal scores order by id everywhere. */
function toEdges(rows: RelatedRow['related']): RelatedEdge[] {
  return rows
    .map((row) => ({ id: row.id, key: row.key, score: round(row.score, SCORE_DECIMALS), sharedTags: row.sharedTags }))
    .sort((a, b) => b.score - a.score || compareTerms(a.id, b.id));
}

export async function computeRelated(tx: Neo4jTx, keys: string[], topK: number): Promise<Map<string, RelatedEdge[]>> {
  const rows = await tx.run<RelatedRow>(RELATED_FOR_KEYS, { keys, topK, tagWeight: TAG_WEIGHT, keywordWeight: KEYWORD_WEIGHT });
  return new Map(rows.map((row) => [row.id, toEdges(row.related)]));
}

/** Replaces the out-going RELATED_TO edges of each row's insight (only if it is still at that revision). */
export const REPLACE_RELATED = `
UNWIND $rows AS row
MATCH (a:Insight {key: row.key})
WHERE a.revision = row.revision
CALL { WITH a MATCH (a)-[r:RELATED_TO]->() DELETE r }
CALL {
  WITH a, row
  UNWIND row.related AS rel
  MATCH (b:Insight {key: rel.key})
  CREATE (a)-[:RELATED_TO {score: rel.score, shared_tags: rel.sharedTags}]->(b)
}
RETURN a.id AS id`;

/** Replaces the MENTIONS edges of each row's insight (only if it is still at that revision). */
export const REPLACE_KEYWORDS = `
UNWIND $rows AS row
MATCH (i:Insight {key: row.key})
WHERE i.revision = row.revision
CALL { WITH i MATCH (i)-[m:MENTIONS]->() DELETE m }
CALL {
  WITH i, row
  UNWIND row.keywords AS kw
  MERGE (k:Keyword {key: $scope + '|' + kw.term})
    ON CREATE SET k.term = kw.term, k.scope = $scope
  CREATE (i)-[:MENTIONS {weight: kw.weight}]->(k)
}
RETURN i.id AS id`;

/**
 * The same formula for one insight from its tags and keyword weights (parameters) rather than by traversing
 * its own edges: a read transaction, so no lock is held while candidates are scored.
 */
const RELATED_FOR_CONTENT = `
CALL {
  UNWIND $tags AS tag
  MATCH (:Tag {key: $scope + '|' + tag})<-[:TAGGED]-(b:Insight)
  WHERE b.key <> $key
  RETURN b, count(*) AS sharedTags, 0.0 AS keywordScore
  UNION ALL
  UNWIND $keywords AS kw
  MATCH (:Keyword {key: $scope + '|' + kw.term})<-[mb:MENTIONS]-(b:Insight)
  WHERE b.key <> $key
  RETURN b, 0 AS sharedTags, sum(kw.weight * mb.weight) AS keywordScore
}
WITH b, sum(sharedTags) AS sharedTags, sum(keywordScore) AS keywordScore
WITH b, sharedTags,
     $tagWeight * (CASE WHEN sharedTags = 0 THEN 0.0 ELSE toFloat(sharedTags) / (size($tags) + b.tag_count - sharedTags) END)
     + $keywordWeight * keywordScore AS score
WHERE score > 0
RETURN b.id AS id, b.key AS key, score, sharedTags
ORDER BY score DESC, id ASC
LIMIT toInteger($topK)`;

/**
 * One statement: the insight node at this revision (nothing happens when the graph already holds a newer
 * one), its author, its tags and keywords replaced, its out-going RELATED_TO edges dropped (step 3 writes the
 * new ones), and incoming RELATED_TO edges dropped when the content changed (they were scored against the old
 * content; the nightly recomputation restores those that still hold). Unit subqueries keep the row when a
 * list is empty.
 */
const WRITE_INSIGHT = `
MERGE (i:Insight {key: $key})
  ON CREATE SET i.id = $id, i.scope = $scope, i.revision = -1
WITH i, coalesce(i.revision, -1) AS current
WHERE current <= $revision
MERGE (u:User {key: $userKey})
  ON CREATE SET u.id = $userId, u.scope = $scope
MERGE (u)-[:AUTHORED]->(i)
SET i.user_id = $userId, i.title = $title, i.created_at = $createdAt, i.updated_at = $updatedAt,
    i.revision = $revision, i.tag_count = size($tags)
WITH i, current
CALL { WITH i MATCH (i)-[r:TAGGED|MENTIONS|RELATED_TO]->() DELETE r }
CALL {
  WITH i, current
  WITH i WHERE current <> -1 AND current <> $revision
  MATCH (:Insight)-[r:RELATED_TO]->(i) DELETE r
}
CALL {
  WITH i
  UNWIND $tags AS tag
  MERGE (t:Tag {key: $scope + '|' + tag})
    ON CREATE SET t.name = tag, t.scope = $scope
  CREATE (i)-[:TAGGED]->(t)
}
CALL {
  WITH i
  UNWIND $keywords AS kw
  MERGE (k:Keyword {key: $scope + '|' + kw.term})
    ON CREATE SET k.term = kw.term, k.scope = $scope
  CREATE (i)-[:MENTIONS {weight: kw.weight}]->(k)
}
RETURN current`;

export type GraphWriteResult = { outcome: 'written'; related: RelatedEdge[] } | { outcome: 'stale'; related: [] };

/**
 * Three steps in two short transactions, so concurrent insights sharing a popular tag wait on each other as
 * little as possible: (1) write the insight's node, author, tags and keywords (one transaction); then, in a
 * second one, (2) score candidates from the graph as committed (a read: no locks taken) and (3) write its
 * RELATED_TO edges if the node is still at this revision. Scoring after the commit is what makes concurrent inserts see each other: of two related
 * insights written at the same time, the one that commits second scores after the first committed, so the
 * pair always gets an edge (the API reads edges in both directions).
 * Tags, keywords and related nodes are written in key order, so concurrent transactions take locks in the
 * same order and rarely deadlock (the driver retries those that do).
 */
export async function writeInsightGraph(
  neo4j: Neo4jStore,
  scope: string,
  input: InsightGraphInput,
  topK: number,
  /** Runs at the start of every write-transaction attempt; throws to write nothing (see graph.ts). */
  guard: () => void = () => undefined,
): Promise<GraphWriteResult> {
  const key = graphKey(scope, input.insightId);
  const tags = [...input.tags].sort(compareTerms);
  const keywords = [...input.keywords].sort((a, b) => compareTerms(a.term, b.term));
  const written = await neo4j.writeTransaction((tx) => {
    guard();
    return tx.run<{ current: number }>(WRITE_INSIGHT, {
      key,
      id: input.insightId,
      scope,
      revision: input.revision,
      userKey: graphKey(scope, input.userId),
      userId: input.userId,
      title: input.title,
      createdAt: input.createdAt,
      updatedAt: input.updatedAt,
      tags,
      keywords,
    });
  });
  if (written.length === 0) return { outcome: 'stale', related: [] };
  // Steps 2 and 3 share one transaction (one round trip and one commit fewer): the scoring read takes no
  // locks and sees what is committed when it runs, which is all step 1 needs.
  return neo4j.writeTransaction(async (tx) => {
    guard();
    const scored = await tx.run<RelatedRow['related'][number]>(RELATED_FOR_CONTENT, {
      key,
      scope,
      tags,
      keywords,
      topK,
      tagWeight: TAG_WEIGHT,
      keywordWeight: KEYWORD_WEIGHT,
    });
    const related = toEdges(scored);
    const rows = [{ key, revision: input.revision, related: [...related].sort((a, b) => compareTerms(a.key, b.key)) }];
    const replaced = await tx.run(REPLACE_RELATED, { rows });
    return replaced.length === 0 ? { outcome: 'stale', related: [] } : { outcome: 'written', related };
  });
}

/** The node and every edge it has; true when there was one. */
export async function deleteInsightNode(neo4j: Neo4jStore, scope: string, insightId: string, guard: () => void = () => undefined): Promise<boolean> {
  const rows = await neo4j.writeTransaction((tx) => {
    guard();
    return tx.run<{ deleted: number }>('MATCH (i:Insight {key: $key}) DETACH DELETE i RETURN count(i) AS deleted', {
      key: graphKey(scope, insightId),
    });
  });
  return (rows[0]?.deleted ?? 0) > 0;
}

export type NodeInfo = {
  id: string;
  key: string;
  revision: number | null;
};

/** One scope's insight nodes with id in (after, until], in id order (index insight_scope_id). */
export async function pageInsightNodes(neo4j: Neo4jStore, scope: string, after: string, until: string | null, limit: number): Promise<NodeInfo[]> {
  return neo4j.read<NodeInfo>(
    `MATCH (i:Insight)
     WHERE i.scope = $scope AND i.id > $after AND ($until IS NULL OR i.id <= $until)
     RETURN i.id AS id, i.key AS key, i.revision AS revision
     ORDER BY i.id
     LIMIT toInteger($limit)`,
    { scope, after, until, limit },
  );
}

/** Deletes, in batches, Tag, Keyword and User nodes of the scope that no insight uses any more. */
export async function pruneUnusedNodes(neo4j: Neo4jStore, scope: string, batch = 5000, onBatch?: (deleted: number) => void): Promise<number> {
  let total = 0;
  for (const label of ['Tag', 'Keyword', 'User']) {
    for (;;) {
      const rows = await neo4j.write<{ deleted: number }>(
        `MATCH (n:${label}) WHERE n.scope = $scope AND NOT (n)--()
         WITH n LIMIT toInteger($batch)
         DELETE n
         RETURN count(*) AS deleted`,
        { scope, batch },
      );
      const deleted = rows[0]?.deleted ?? 0;
      total += deleted;
      onBatch?.(total);
      if (deleted < batch) break;
    }
  }
  return total;
}
