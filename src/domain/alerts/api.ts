/** The alerts API's wire shapes (zod): the alert as GET returns it, list filters, the review bodies. */
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN } from '../ledger/entry';
import { alertActions, fallbackReasons, reviewActions } from './alert';

export const alertStatuses = ['open', 'escalated', 'confirmed', 'dismissed', 'cancelled'] as const;

export const alertListQuerySchema = z
  .object({
    status: z.enum(alertStatuses).optional(),
    account_id: z.string().regex(ACCOUNT_ID_PATTERN, 'must be 1-64 letters, digits, "_", ".", ":" or "-"').optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const alertIdParamsSchema = z.object({ alert_id: z.guid() });

export const confirmBodySchema = z
  .object({
    action: z.enum(reviewActions).optional().describe('The action in force after confirming (default: the alert’s); block blocks the account'),
    note: z.string().max(1000).optional(),
  })
  .strict();

export const dismissBodySchema = z.object({ note: z.string().max(1000).optional() }).strict();

const tokensSchema = z.object({ estimated: z.number(), prompt: z.number(), output: z.number(), total: z.number() });

export const alertSchema = z.object({
  alert_id: z.guid(),
  event_id: z.guid(),
  request_id: z.guid(),
  account_id: z.string(),
  status: z.enum(alertStatuses),
  score: z.number(),
  reason: z.string(),
  action: z.enum(alertActions),
  source: z.enum(['llm', 'local']),
  model: z.string(),
  prompt_version: z.string().nullable(),
  tokens: tokensSchema.nullable(),
  fallback_reason: z.enum(fallbackReasons).nullable(),
  local_score: z.number(),
  local_model: z.string(),
  occurred_at: z.string(),
  decided_at: z.string(),
  sla_deadline: z.string(),
  escalated_at: z.string().nullable(),
  reviewed_by: z.string().nullable(),
  reviewed_at: z.string().nullable(),
  review_action: z.enum(reviewActions).nullable(),
  review_note: z.string().nullable(),
  false_positive: z.boolean(),
  account_block: z.enum(['held', 'confirmed', 'released']).nullable(),
  workflow_id: z.string(),
  evaluation_workflow_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

export type AlertWire = z.infer<typeof alertSchema>;

export const alertListSchema = z.object({ alerts: z.array(alertSchema) });
