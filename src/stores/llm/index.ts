/**
 * LLM clients, created from config: the alert reviewer (Gemini on Vertex AI through LangChain) and the shared
 * rate limit. Nothing connects until the first call.
 */
import type { Config } from '../../config';
import { createAlertReviewer, type AlertReviewer } from './alert-reviewer';
import { apiKeyAuth, metadataAuth, serviceAccountAuthFromFile, type VertexAuth } from './vertex-auth';

export type LlmConfig = Pick<
  Config,
  | 'ALERTS_LLM_MODEL'
  | 'ALERTS_LLM_PROJECT_ID'
  | 'ALERTS_LLM_LOCATION'
  | 'ALERTS_LLM_ENDPOINT'
  | 'ALERTS_LLM_AUTH'
  | 'ALERTS_LLM_CREDENTIALS_FILE'
  | 'ALERTS_LLM_API_KEY'
  | 'ALERTS_LLM_TIMEOUT_MS'
  | 'ALERTS_LLM_MAX_OUTPUT_TOKENS'
>;

export function vertexAuthFor(config: LlmConfig): VertexAuth {
  switch (config.ALERTS_LLM_AUTH) {
    case 'service-account': {
      const file = config.ALERTS_LLM_CREDENTIALS_FILE ?? process.env.GOOGLE_APPLICATION_CREDENTIALS;
      if (!file) throw new Error('ALERTS_LLM_AUTH=service-account needs ALERTS_LLM_CREDENTIALS_FILE (or GOOGLE_APPLICATION_CREDENTIALS)');
      return serviceAccountAuthFromFile(file);
    }
    case 'api-key':
      if (!config.ALERTS_LLM_API_KEY) throw new Error('ALERTS_LLM_AUTH=api-key needs ALERTS_LLM_API_KEY');
      return apiKeyAuth(config.ALERTS_LLM_API_KEY);
    default:
      return metadataAuth();
  }
}

export function createAlertReviewerFromConfig(config: LlmConfig): AlertReviewer {
  return createAlertReviewer({
    model: config.ALERTS_LLM_MODEL,
    location: config.ALERTS_LLM_LOCATION,
    projectId: config.ALERTS_LLM_PROJECT_ID,
    endpoint: config.ALERTS_LLM_ENDPOINT,
    auth: vertexAuthFor(config),
    timeoutMs: config.ALERTS_LLM_TIMEOUT_MS,
    maxOutputTokens: config.ALERTS_LLM_MAX_OUTPUT_TOKENS,
  });
}

export type { AlertReviewer, LlmReviewOutcome, LlmUsage } from './alert-reviewer';
export { pgRateLimiter, type LlmRateLimiter, type RateLimitDecision } from './rate-limit';
export type { VertexAuth } from './vertex-auth';
