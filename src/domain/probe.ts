/**
 * The probe: fluxo's smallest end-to-end path (HTTP → Temporal workflow → activity → PostgreSQL → HTTP).
 * Operators use it to check a deployment; tests use it to prove the skeleton.
 */
import { z } from 'zod';
import type { RequestContext } from './request-context';

export const MAX_HOLD_SECONDS = 3600;
export const MAX_WORK_SECONDS = 60;

export const probeRequestSchema = z
  .object({
    probe_id: z.uuid().optional().describe('Idempotency key: the same id returns the same probe'),
    message: z.string().min(1).max(200),
    hold_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_HOLD_SECONDS)
      .default(0)
      .describe('Durable timer before the write (to watch a workflow survive restarts)'),
    work_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_WORK_SECONDS)
      .default(0)
      .describe('How long the activity works (heartbeating) before writing (to watch graceful shutdown)'),
  })
  .strict();

export type ProbeRequest = z.infer<typeof probeRequestSchema>;

export interface ProbeInput {
  probeId: string;
  message: string;
  holdSeconds: number;
  workSeconds: number;
  context: RequestContext;
}

export interface ProbeRecord {
  probeId: string;
  message: string;
  requestId: string;
  recordedAt: string;
}

export const probeWorkflowId = (probeId: string) => `probe-${probeId}`;
