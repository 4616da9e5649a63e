/**
 * AI alert review (issue 8): see docs/alerts.md. Read by the event bridge, the alerts activities and the API.
 */
import { z } from 'zod';
import { bool, positiveInt } from './fields';

export const alertsSettings = {
  /** The topic the event bridge consumes (its DLQ is `<topic>.dlq`); tests use their own. */
  ALERTS_EVENTS_TOPIC: z.string().regex(/^[\w.-]{1,200}$/).default('lancamentos.registrados'),
  ALERTS_BRIDGE_GROUP_ID: z.string().regex(/^[\w.-]{1,200}$/).default('fluxo-alerts-bridge'),
  /** Partitions the bridge handles at once (order is kept within a partition). */
  ALERTS_BRIDGE_CONCURRENCY: positiveInt.max(64).default(3),
  /** Local scores at or above this go to the LLM review; unset = the threshold chosen when the model was trained. */
  ALERTS_PREFILTER_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  /** How long a review waits for an analyst before the escalation notice. */
  ALERTS_REVIEW_SLA_SECONDS: positiveInt.default(3600),
  /** false = the local model decides alone (recorded as fallback `disabled`). */
  ALERTS_LLM_ENABLED: bool.default(true),
  ALERTS_LLM_MODEL: z.string().min(1).default('gemini-2.5-flash'),
  /** Vertex AI project and location; with a service-account key the project defaults to the key's. */
  ALERTS_LLM_PROJECT_ID: z.string().default(''),
  ALERTS_LLM_LOCATION: z.string().min(1).default('us-central1'),
  /** Base URL replacing https://<location>-aiplatform.googleapis.com (a private endpoint, or the tests' stand-in). */
  ALERTS_LLM_ENDPOINT: z.url().optional(),
  /** metadata = the GCE/GKE metadata server (Workload Identity); service-account = a key file; api-key = Vertex express. */
  ALERTS_LLM_AUTH: z.enum(['metadata', 'service-account', 'api-key']).default('metadata'),
  ALERTS_LLM_CREDENTIALS_FILE: z.string().min(1).optional(),
  ALERTS_LLM_API_KEY: z.string().min(1).optional(),
  ALERTS_LLM_TIMEOUT_MS: positiveInt.default(20_000),
  /** Most tokens one call may use, input (estimated before sending) plus the output allowance. */
  ALERTS_LLM_TOKEN_BUDGET: positiveInt.default(6000),
  ALERTS_LLM_MAX_OUTPUT_TOKENS: positiveInt.default(512),
  /** LLM calls per second across every worker (a token bucket in PostgreSQL), and the burst it allows. */
  ALERTS_LLM_RATE_PER_SECOND: z.coerce.number().positive().default(5),
  ALERTS_LLM_BURST: positiveInt.default(10),
  /** Longest wait for the rate limit before the local decision stands (fallback `rate_limited`). */
  ALERTS_LLM_MAX_QUEUE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Unset = notifications are only recorded (alert_notifications); set = also POSTed here (stands for FCM/Admin). */
  ALERTS_NOTIFY_WEBHOOK_URL: z.url().optional(),
  ALERTS_NOTIFY_TIMEOUT_MS: positiveInt.default(5000),
  /** How long the API waits for a review saga to answer confirm/dismiss before answering 503. */
  ALERTS_UPDATE_TIMEOUT_MS: positiveInt.default(10_000),
  /** How stale the ledger API's view of blocked accounts may be (it re-reads account_blocks at most this often). */
  ALERTS_BLOCK_CACHE_MS: z.coerce.number().int().min(0).default(1000),
};
