/**
 * How related two insights are: the score the graph step stores on `(a)-[:RELATED_TO {score}]->(b)`.
 *
 *   score(a, b) = TAG_WEIGHT     × |Ta ∩ Tb| / |Ta ∪ Tb|          (Jaccard similarity of the tag sets)
 *               + KEYWORD_WEIGHT × Σ_{k ∈ Ka ∩ Kb} wa(k) · wb(k)   (cosine of the unit keyword vectors)
 *
 * Both parts lie in [0, 1] and the weights add to 1, so the score does too: 1 means the same tags and the
 * same keywords with the same weights. Candidates are the insights sharing at least one tag or keyword;
 * related(a) is the RELATED_TOP_K best by score, then by id (so equal scores are ordered the same way every
 * time). The score is symmetric, which is why the API reads RELATED_TO edges in both directions: b ranks a
 * even when a was processed before b existed.
 *
 * Neo4j computes this in Cypher (activities/insights/graph-queries.ts); this function is the same formula
 * in TypeScript for tests and the benchmark's baseline.
 */
import { compareTerms, round, type Keyword } from './keywords';

export const TAG_WEIGHT = 0.5;
export const KEYWORD_WEIGHT = 0.5;
export const SCORE_DECIMALS = 6;

export interface Scorable {
  id: string;
  tags: string[];
  keywords: Keyword[];
}

export interface RelatedRef {
  id: string;
  score: number;
}

export function relatedScore(a: Scorable, b: Scorable): { score: number; sharedTags: number; keywordSimilarity: number } {
  const tagsA = new Set(a.tags);
  const tagsB = new Set(b.tags);
  const sharedTags = [...tagsA].filter((tag) => tagsB.has(tag)).length;
  const union = tagsA.size + tagsB.size - sharedTags;
  const jaccard = union === 0 ? 0 : sharedTags / union;
  const weightsB = new Map(b.keywords.map(({ term, weight }) => [term, weight]));
  const keywordSimilarity = a.keywords.reduce((sum, { term, weight }) => sum + weight * (weightsB.get(term) ?? 0), 0);
  return { score: round(TAG_WEIGHT * jaccard + KEYWORD_WEIGHT * keywordSimilarity, SCORE_DECIMALS), sharedTags, keywordSimilarity };
}

/** The top `k` of `candidates` for `target` (itself excluded, score > 0), best first, ties by id. */
export function topRelated(target: Scorable, candidates: Scorable[], k: number): RelatedRef[] {
  return candidates
    .filter((candidate) => candidate.id !== target.id)
    .map((candidate) => ({ id: candidate.id, score: relatedScore(target, candidate).score }))
    .filter(({ score }) => score > 0)
    .sort((x, y) => y.score - x.score || compareTerms(x.id, y.id))
    .slice(0, k);
}
