/**
 * The deterministic keyword extractor: term counts of an insight, weighted by TF-IDF over the corpus.
 *
 * - term frequency: occurrences in the content, title terms counted TITLE_BOOST times (a title says what the
 *   insight is about more densely than its body);
 * - weight(term) = (1 + ln tf) × idf, with the smoothed idf = ln((1 + N) / (1 + df)) + 1, where N is the number
 *   of insights in the corpus statistics and df the number of those containing the term (kept in MongoDB,
 *   rebuilt by the nightly recomputation). A term the statistics have never seen gets the largest idf;
 *   with no statistics at all (N = 0) every idf is 1 and weights are plain log term frequencies;
 * - keywords = the `limit` heaviest terms (ties: alphabetical), their weights scaled to unit length, so the
 *   dot product of two insights' keyword weights is a cosine similarity in [0, 1] (see related-score.ts).
 *
 * Same text and same statistics → same keywords, on any machine: no randomness, no locale-dependent sort.
 */
import { compareTerms, round } from './ordering';
import { terms } from './text';

export { compareTerms, round, WEIGHT_DECIMALS } from './ordering';

export const TITLE_BOOST = 2;
/** Most distinct terms kept per insight (its most frequent): bounds the document and the df rebuild. */
export const MAX_TERMS_PER_INSIGHT = 500;

export interface TermCount {
  term: string;
  count: number;
}

export interface Keyword {
  term: string;
  weight: number;
}

/** Document frequencies as the extractor sees them. */
export interface CorpusStats {
  /** Insights counted. */
  documents: number;
  /** Insights containing `term` (0 when unknown). */
  df(term: string): number;
}

export const EMPTY_CORPUS: CorpusStats = { documents: 0, df: () => 0 };

const byCountThenTerm = (a: TermCount, b: TermCount) => b.count - a.count || compareTerms(a.term, b.term);

/** Distinct terms with their (title-boosted) counts, most frequent first, at most MAX_TERMS_PER_INSIGHT. */
export function countTerms(input: { title: string; content: string }): TermCount[] {
  const counts = new Map<string, number>();
  for (const term of terms(input.title)) counts.set(term, (counts.get(term) ?? 0) + TITLE_BOOST);
  for (const term of terms(input.content)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return [...counts].map(([term, count]) => ({ term, count })).sort(byCountThenTerm).slice(0, MAX_TERMS_PER_INSIGHT);
}

export function inverseDocumentFrequency(documents: number, df: number): number {
  return Math.log((1 + documents) / (1 + Math.min(df, documents))) + 1;
}

/** The `limit` heaviest terms with unit-length weights (rounded), heaviest first. */
export function keywordWeights(termCounts: TermCount[], stats: CorpusStats, limit: number): Keyword[] {
  const weighted = termCounts
    .map(({ term, count }) => ({ term, weight: (1 + Math.log(count)) * inverseDocumentFrequency(stats.documents, stats.df(term)) }))
    .sort((a, b) => b.weight - a.weight || compareTerms(a.term, b.term))
    .slice(0, limit);
  const norm = Math.sqrt(weighted.reduce((sum, { weight }) => sum + weight * weight, 0));
  return norm === 0 ? [] : weighted.map(({ term, weight }) => ({ term, weight: round(weight / norm) }));
}

/** Same terms, same weights, same order. */
export function sameKeywords(a: Keyword[], b: Keyword[]): boolean {
  return a.length === b.length && a.every((keyword, i) => keyword.term === b[i]!.term && keyword.weight === b[i]!.weight);
}
