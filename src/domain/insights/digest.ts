/**
 * The weekly per-user digest, as a pure function of the user's insights in the period: how many, the most
 * used tags, the heaviest keywords (keyword weights summed over the insights) and the latest insights.
 */
import type { Keyword } from './keywords';
import { compareTerms, round } from './ordering';

export const DIGEST_TOP_TAGS = 10;
export const DIGEST_TOP_KEYWORDS = 10;
export const DIGEST_INSIGHTS = 20;
export const DEFAULT_DIGEST_DAYS = 7;

export interface DigestSource {
  id: string;
  title: string;
  created_at: Date;
  tags: string[];
  keywords: Keyword[];
}

export interface UserDigest {
  insight_count: number;
  top_tags: Array<{ tag: string; count: number }>;
  top_keywords: Array<{ term: string; weight: number }>;
  insights: Array<{ id: string; title: string; created_at: Date; tags: string[] }>;
}

/** [end - days, end): the period a digest covers. */
export function digestPeriod(end: Date, days = DEFAULT_DIGEST_DAYS): { start: Date; end: Date } {
  return { start: new Date(end.getTime() - days * 24 * 3600 * 1000), end };
}

/** Folds insights one at a time, so a scan never holds more than the counters. */
export class DigestAccumulator {
  private count = 0;
  private readonly tags = new Map<string, number>();
  private readonly keywords = new Map<string, number>();
  private latest: DigestSource[] = [];

  add(insight: DigestSource): void {
    this.count++;
    for (const tag of insight.tags) this.tags.set(tag, (this.tags.get(tag) ?? 0) + 1);
    for (const { term, weight } of insight.keywords) this.keywords.set(term, (this.keywords.get(term) ?? 0) + weight);
    this.latest.push(insight);
    if (this.latest.length > DIGEST_INSIGHTS * 2) this.latest = newestFirst(this.latest).slice(0, DIGEST_INSIGHTS);
  }

  result(): UserDigest {
    return {
      insight_count: this.count,
      top_tags: [...this.tags]
        .map(([tag, count]) => ({ tag, count }))
        .sort((a, b) => b.count - a.count || compareTerms(a.tag, b.tag))
        .slice(0, DIGEST_TOP_TAGS),
      top_keywords: [...this.keywords]
        .map(([term, weight]) => ({ term, weight: round(weight) }))
        .sort((a, b) => b.weight - a.weight || compareTerms(a.term, b.term))
        .slice(0, DIGEST_TOP_KEYWORDS),
      insights: newestFirst(this.latest)
        .slice(0, DIGEST_INSIGHTS)
        .map(({ id, title, created_at, tags }) => ({ id, title, created_at, tags })),
    };
  }
}

const newestFirst = (items: DigestSource[]) =>
  [...items].sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || compareTerms(a.id, b.id));
