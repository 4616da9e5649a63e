/**
 * Keyword and entity extraction: the deterministic local extractor over the cached corpus statistics.
 * Pure CPU once the statistics are cached, so the workflow runs it as a local activity.
 *
 * The optional LLM enrichment (issue 9 item 2) plugs in as a `KeywordEnricher`: llm-enricher.ts (the alerts'
 * LangChain/Gemini provider, INSIGHTS_LLM_ENRICHMENT, off by default). The extractor's output is always
 * computed first and is what is used whenever the enricher is absent, fails or times out, so processing never
 * depends on it.
 */
import { extractEntities, type Entity } from '../../domain/insights/entities';
import { countTerms, keywordWeights, type Keyword, type TermCount } from '../../domain/insights/keywords';
import type { TermStatsCache } from './term-stats';

export interface ExtractionInput {
  title: string;
  content: string;
  tags: string[];
}

export interface ExtractionResult {
  keywords: Keyword[];
  entities: Entity[];
  terms: TermCount[];
  /** `local` (the deterministic extractor) or the enricher's name when it contributed. */
  source: string;
}

/** An optional second opinion on keywords and entities (e.g. an LLM); must return within `timeoutMs`. */
export interface KeywordEnricher {
  name: string;
  enrich(input: ExtractionInput, local: { keywords: Keyword[]; entities: Entity[] }): Promise<{ keywords: Keyword[]; entities: Entity[] }>;
}

export function createExtractionActivities(termStats: TermStatsCache, keywordsPerInsight: number, enricher?: KeywordEnricher) {
  return {
    async extractInsightKeywords(input: ExtractionInput): Promise<ExtractionResult> {
      const stats = await termStats.get();
      const terms = countTerms(input);
      const local = {
        keywords: keywordWeights(terms, stats, keywordsPerInsight),
        entities: extractEntities(`${input.title}.\n${input.content}`),
      };
      if (!enricher) return { ...local, terms, source: 'local' };
      try {
        return { ...(await enricher.enrich(input, local)), terms, source: enricher.name };
      } catch {
        // The fallback is the local result: enrichment is a bonus, never a dependency.
        return { ...local, terms, source: 'local' };
      }
    },
  };
}
