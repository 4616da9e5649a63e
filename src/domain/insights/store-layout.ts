/**
 * Where insights live. MongoDB holds the documents (system of record), the corpus statistics and the
 * digests; Neo4j holds the graph. On FerretDB's SQLite backend only a filter that is exactly `{ _id }` uses an
 * index (docs/services/mongo.md), so every per-insight read and write addresses one document by `_id`, and
 * what has to be fast at request time (related insights) is served by Neo4j's indexes.
 */
import type { Entity } from './entities';
import type { InsightStatus } from './insight';
import type { Keyword, TermCount } from './keywords';
import type { RelatedRef } from './related-score';

export const insightCollections = {
  /** One document per insight, `_id` = insight id. */
  insights: 'insights',
  /** Document frequencies in TERM_STATS_SHARDS documents (`_id` = `df-<nn>`) plus the `corpus` document. */
  termStats: 'insight_term_stats',
  /** Weekly digests: `_id` = `<user_id>|<period_end date>`, and `<user_id>|latest` for the API. */
  digests: 'insight_digests',
} as const;

export interface InsightFailure {
  /** Which step gave up: save, extract, graph, delete. */
  step: string;
  reason: string;
  at: Date;
  /** What the failed change wanted, so the reconciliation re-drives the right thing. */
  intent: 'process' | 'delete';
}

export interface InsightDocument {
  _id: string;
  user_id: string;
  title: string;
  content: string;
  tags: string[];
  source: string;
  created_at: Date;
  updated_at: Date;
  status: InsightStatus;
  /** When `status` was last set (the reconciliation's grace period counts from here). */
  status_at: Date;
  /** Bumped by every applied create/update; graph nodes carry the revision they were written from. */
  revision: number;
  /** Ids of the last changes applied (a redelivered change is recognised and not applied twice). */
  applied_changes: string[];
  keywords: Keyword[];
  entities: Entity[];
  /** Distinct terms with counts: what the nightly df rebuild counts and the keyword re-weighting reads. */
  terms: TermCount[];
  /** Top-k related insights when this one was last processed or recomputed. */
  related: RelatedRef[];
  /** Revision the keywords and related ids were computed from (≠ revision: stale, the reconciliation re-drives). */
  derived_revision: number;
  processed_at: Date | null;
  failure: InsightFailure | null;
  workflow_id: string;
}

/** Per-shard document frequencies; terms are letters and digits only, so they are safe field names. */
export interface TermStatsShard {
  _id: string;
  generation: number;
  df: Record<string, number>;
}

export interface CorpusDocument {
  _id: 'corpus';
  generation: number;
  documents: number;
  terms: number;
  built_at: Date;
}

export const TERM_STATS_SHARDS = 64;
export const CORPUS_DOCUMENT_ID = 'corpus';

/** FNV-1a, so a term always lands in the same shard on every machine. */
export function termShard(term: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    hash ^= term.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `df-${String(hash % TERM_STATS_SHARDS).padStart(2, '0')}`;
}

export interface DigestDocument {
  _id: string;
  user_id: string;
  period_start: Date;
  period_end: Date;
  generated_at: Date;
  insight_count: number;
  top_tags: Array<{ tag: string; count: number }>;
  top_keywords: Array<{ term: string; weight: number }>;
  insights: Array<{ id: string; title: string; created_at: Date; tags: string[] }>;
}

export const digestId = (userId: string, periodEnd: Date | 'latest') =>
  `${userId}|${periodEnd === 'latest' ? 'latest' : periodEnd.toISOString().slice(0, 10)}`;

/**
 * Graph keys. Neo4j Community has one database, shared by development, tests and benchmarks, so every node
 * belongs to a scope (by default the MongoDB database name: the graph partition that pairs with those
 * documents) and is unique by `key` = `<scope>|<id>`.
 */
export const graphKey = (scope: string, id: string) => `${scope}|${id}`;

/** INSIGHTS_GRAPH_SCOPE when set, else the MongoDB database: tests and benchmarks get their own graph. */
export const graphScope = (configured: string, mongoDatabase: string) => configured || mongoDatabase;
