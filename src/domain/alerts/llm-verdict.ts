/**
 * The structured output asked of the LLM (sent as the response JSON schema, validated with zod on return).
 * Field names keep the seed's alert (`score`, `motivo` → reason, `ação` → action).
 */
import { z } from 'zod';
import { alertActions } from './alert';

export const llmVerdictSchema = z
  .object({
    score: z.number().min(0).max(1).describe('Probability that the entry is fraudulent, from 0 to 1'),
    reason: z.string().min(1).max(600).describe('One or two sentences an analyst can check against the data given'),
    action: z.enum(alertActions).describe('ignore: normal; monitor: watch the account; block: stop the account now; escalate: a person must look'),
  })
  .strict();

export type LlmVerdict = z.infer<typeof llmVerdictSchema>;
