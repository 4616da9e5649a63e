/**
 * The optional LLM enrichment of extraction (INSIGHTS_LLM_ENRICHMENT, off by default): the alerts' provider —
 * LangChain's ChatGoogle, Gemini on Vertex AI, with the alerts' model, endpoint and credentials (ALERTS_LLM_*)
 * — asked for the insight's named entities as structured output, merged into the local extractor's
 * (domain/insights/llm-enrichment.ts). One attempt, bounded by INSIGHTS_LLM_TIMEOUT_MS, LangChain's retries
 * off: any failure (timeout, HTTP error, output that is not the schema) throws, and extraction keeps the local
 * result (extraction.ts), so processing never waits on or fails because of the model.
 */
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatGoogle } from '@langchain/google';
import type { Config } from '../../config';
import { enrichmentPrompt, llmEnrichmentSchema, mergeEntities } from '../../domain/insights/llm-enrichment';
import { vertexAuthFor, type LlmConfig } from '../../stores/llm';
import { VertexApiClient } from '../../stores/llm/vertex-api-client';
import type { KeywordEnricher } from './extraction';
import { insightsEnrichmentTotal } from './metrics';

export type EnricherConfig = LlmConfig & Pick<Config, 'INSIGHTS_LLM_TIMEOUT_MS'>;

export function createLlmEnricher(config: EnricherConfig): KeywordEnricher {
  const chat = new ChatGoogle({
    model: config.ALERTS_LLM_MODEL,
    platformType: 'gcp',
    location: config.ALERTS_LLM_LOCATION,
    apiClient: new VertexApiClient({ auth: vertexAuthFor(config), projectId: config.ALERTS_LLM_PROJECT_ID, endpoint: config.ALERTS_LLM_ENDPOINT }),
    temperature: 0,
    maxOutputTokens: config.ALERTS_LLM_MAX_OUTPUT_TOKENS,
    maxRetries: 0,
  });
  const structured = chat.withStructuredOutput(llmEnrichmentSchema, { method: 'jsonSchema' });

  return {
    name: `llm:${config.ALERTS_LLM_MODEL}`,
    async enrich(input, local) {
      const prompt = enrichmentPrompt(input);
      try {
        // withStructuredOutput parses and validates against the schema: anything else is an error here.
        const answer = llmEnrichmentSchema.parse(
          await structured.invoke([new SystemMessage(prompt.system), new HumanMessage(prompt.user)], {
            signal: AbortSignal.timeout(config.INSIGHTS_LLM_TIMEOUT_MS),
          }),
        );
        insightsEnrichmentTotal.inc({ outcome: 'enriched' });
        return { keywords: local.keywords, entities: mergeEntities(local.entities, answer, `${input.title}\n${input.content}`) };
      } catch (error) {
        insightsEnrichmentTotal.inc({ outcome: 'fallback' });
        throw error;
      }
    },
  };
}
