/** The process's own settings: environment, logging, the Temporal connection and worker, the HTTP API. */
import { z } from 'zod';
import { csv, positiveInt } from './fields';

export const processSettings = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Temporal
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  TEMPORAL_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
  /** Comma list of task queues this worker process polls; empty = all of fluxo's queues. */
  WORKER_TASK_QUEUES: csv.default([]),
  WORKER_SHUTDOWN_GRACE_MS: positiveInt.default(30_000),

  // API
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  API_PUBLIC_URL: z.url().optional(),
  /** Stores without which `/ready` is 503; the others down only make it `degraded` (200). */
  READY_REQUIRED_STORES: csv.default(['temporal', 'postgres']),
};
