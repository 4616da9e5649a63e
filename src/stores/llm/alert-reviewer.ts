/**
 * The LLM client of the alert review: LangChain's ChatGoogle (`@langchain/google`, platform `gcp`, i.e. Gemini on
 * Vertex AI) asked for structured output (the zod schema of llm-verdict.ts sent as the response JSON schema) and
 * validated with zod on return. One attempt per call (LangChain's own retries off): any failure is classified and
 * handed back, so the caller can fall back to the local model at once instead of retrying into the SLA.
 */
import { HumanMessage, SystemMessage, type AIMessage } from '@langchain/core/messages';
import { ChatGoogle } from '@langchain/google';
import { z } from 'zod';
import type { FallbackReason } from '../../domain/alerts/alert';
import { llmVerdictSchema, type LlmVerdict } from '../../domain/alerts/llm-verdict';
import { VertexApiClient } from './vertex-api-client';
import type { VertexAuth } from './vertex-auth';

export interface AlertReviewerOptions {
  model: string;
  location: string;
  projectId: string;
  endpoint?: string;
  auth: VertexAuth;
  timeoutMs: number;
  maxOutputTokens: number;
}

export interface LlmUsage {
  prompt: number;
  output: number;
  total: number;
}

export type LlmReviewOutcome =
  | { ok: true; verdict: LlmVerdict; usage: LlmUsage; model: string }
  | { ok: false; reason: FallbackReason; detail: string; usage: LlmUsage | null };

export interface AlertReviewer {
  readonly model: string;
  readonly maxOutputTokens: number;
  /** The response schema's JSON text as sent with each call (counted in the token estimate). */
  readonly schemaText: string;
  review(prompt: { system: string; user: string }, signal?: AbortSignal): Promise<LlmReviewOutcome>;
}

export function createAlertReviewer(options: AlertReviewerOptions): AlertReviewer {
  const chat = new ChatGoogle({
    model: options.model,
    platformType: 'gcp',
    location: options.location,
    apiClient: new VertexApiClient({ auth: options.auth, projectId: options.projectId, endpoint: options.endpoint }),
    temperature: 0,
    maxOutputTokens: options.maxOutputTokens,
    maxRetries: 0,
  });
  const structured = chat.withStructuredOutput(llmVerdictSchema, { method: 'jsonSchema', includeRaw: true });
  const schemaText = JSON.stringify(z.toJSONSchema(llmVerdictSchema));

  return {
    model: options.model,
    maxOutputTokens: options.maxOutputTokens,
    schemaText,
    async review(prompt, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      let raw: AIMessage;
      try {
        const result = await structured.invoke([new SystemMessage(prompt.system), new HumanMessage(prompt.user)], {
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        });
        raw = result.raw as AIMessage;
      } catch (error) {
        // The caller's own cancellation (activity cancelled, worker shutting down) is not an LLM failure.
        if (signal?.aborted && !timeout.aborted) throw error;
        return { ok: false, ...classify(error, timeout.aborted), usage: null };
      }
      const usage = usageOf(raw);
      const text = raw.text;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { ok: false, reason: 'malformed', detail: `not JSON: ${text.slice(0, 120)}`, usage };
      }
      const verdict = llmVerdictSchema.safeParse(json);
      if (!verdict.success) {
        const detail = verdict.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
        return { ok: false, reason: 'invalid', detail: `output violates the schema: ${detail}`, usage };
      }
      const modelVersion = (raw.response_metadata as { model?: string } | undefined)?.model;
      return { ok: true, verdict: verdict.data, usage, model: modelVersion ?? options.model };
    },
  };
}

function usageOf(message: AIMessage): LlmUsage {
  const usage = message.usage_metadata;
  return { prompt: usage?.input_tokens ?? 0, output: usage?.output_tokens ?? 0, total: usage?.total_tokens ?? 0 };
}

interface ErrorLike {
  name?: string;
  message?: string;
  statusCode?: number;
  cause?: unknown;
}

/** Maps what ChatGoogle or fetch threw to a fallback reason. */
export function classify(error: unknown, timedOut: boolean): { reason: FallbackReason; detail: string } {
  const failure = (error ?? {}) as ErrorLike;
  const message = failure.message ?? String(error);
  if (timedOut) return { reason: 'timeout', detail: 'no answer within ALERTS_LLM_TIMEOUT_MS' };
  if (typeof failure.statusCode === 'number') {
    return { reason: failure.statusCode >= 500 ? 'http_5xx' : 'http_4xx', detail: `HTTP ${failure.statusCode}: ${message.slice(0, 200)}` };
  }
  if (failure.name === 'PromptBlockedError') return { reason: 'blocked_prompt', detail: message.slice(0, 200) };
  if (failure.name === 'NoCandidatesError' || failure.name === 'MalformedOutputError' || failure.name === 'SyntaxError') {
    return { reason: 'malformed', detail: message.slice(0, 200) };
  }
  const cause = failure.cause as ErrorLike | undefined;
  // fetch's "TypeError: fetch failed" (name lost when LangChain re-wraps an error from another realm) and socket errors.
  if (/fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|socket hang up/i.test(`${message} ${cause?.message ?? ''}`)) {
    return { reason: 'network', detail: `${message}: ${cause?.message ?? ''}`.slice(0, 200) };
  }
  return { reason: 'error', detail: `${failure.name ?? 'Error'}: ${message}`.slice(0, 200) };
}
