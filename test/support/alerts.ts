/** Helpers for the alert tests: events, evaluation inputs, and what PostgreSQL holds for an alert. */
import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createAlertActivities } from '../../src/activities/alerts';
import { loadConfig, type Config } from '../../src/config';
import type { AlertEvaluationInput } from '../../src/domain/alerts/alert';
import { taskQueues } from '../../src/domain/task-queues';
import { createPostgresStore, type PostgresStore } from '../../src/stores/postgres';
import { loadWorkflowBundle } from '../setup/workflow-bundle';
import { quietRuntime } from './temporal';

/** A LancamentoRegistrado envelope as the ledger's outbox relay writes it. */
export function ledgerEventEnvelope(overrides: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) {
  return {
    event_id: randomUUID(),
    event_type: 'LancamentoRegistrado',
    event_version: 1,
    occurred_at: new Date().toISOString(),
    payload: {
      request_id: randomUUID(),
      account_id: 'acc-1',
      amount: '125.50',
      direction: 'debit',
      data_ref: '2026-01-15',
      description: null,
      metadata: null,
      batch_id: 'test-batch',
      ...payload,
    },
    ...overrides,
  };
}

export function evaluationInput(accountId: string, options: { amount?: string; prefilter?: number | null; slaSeconds?: number } = {}): AlertEvaluationInput {
  return {
    event: {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      requestId: randomUUID(),
      accountId,
      amount: options.amount ?? '9000.00',
      direction: 'debit',
      dataRef: '2026-01-15',
      description: 'transferência',
      counterparty: null,
    },
    settings: { prefilterThreshold: options.prefilter === undefined ? 0 : options.prefilter, reviewSlaSeconds: options.slaSeconds ?? 3600 },
  };
}

export async function alertRow(pool: Pool, alertId: string) {
  const { rows } = await pool.query('SELECT * FROM alerts WHERE alert_id = $1', [alertId]);
  return rows[0];
}

export async function blockState(pool: Pool, alertId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ state: string }>('SELECT state FROM account_blocks WHERE alert_id = $1', [alertId]);
  return rows[0]?.state;
}

export async function siemKinds(pool: Pool, alertId: string): Promise<string[]> {
  const { rows } = await pool.query<{ kind: string }>('SELECT kind FROM alert_siem_log WHERE alert_id = $1 ORDER BY seq', [alertId]);
  return rows.map((row) => row.kind);
}

export async function evaluationRow(pool: Pool, eventId: string) {
  const { rows } = await pool.query('SELECT * FROM alert_evaluations WHERE event_id = $1', [eventId]);
  return rows[0];
}

/**
 * Publishes, retrying while the broker is unreachable: the stack's Kafka is shared, and other tests restart it
 * for their fault injection. (The idempotent producer keeps a retried batch from being stored twice, and the
 * bridge de-duplicates by event_id anyway.)
 */
export async function sendRetrying(
  kafka: { producer(): { send(topic: string, messages: { key?: string | Buffer | null; value: string | Buffer }[]): Promise<unknown> } },
  topic: string,
  messages: { key?: string | Buffer | null; value: string | Buffer }[],
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await kafka.producer().send(topic, messages);
      return;
    } catch (error) {
      if (Date.now() > deadline || (error as { failure?: string }).failure !== 'unavailable') throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

export interface AlertsWorker {
  config: Config;
  postgres: PostgresStore;
  stop(): Promise<void>;
}

/**
 * A worker on the `alerts` task queue (or another) whose activities get exactly these settings. The shared
 * startTestWorkers builds activities from process.env (activitiesByQueue takes no config), so settings such as
 * ALERTS_LLM_ENDPOINT passed to it would not reach the LLM client.
 */
export async function startAlertsWorker(overrides: Partial<Record<string, string>> = {}, taskQueue: string = taskQueues.alerts): Promise<AlertsWorker> {
  quietRuntime();
  const config = loadConfig({ ...process.env, ...overrides });
  const postgres = createPostgresStore(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    workflowBundle: loadWorkflowBundle(),
    activities: createAlertActivities({ postgres }, config),
  });
  const running = worker.run();
  return {
    config,
    postgres,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await postgres.close();
    },
  };
}
