/**
 * The real API and real workers, in the test process: the API listens on a free port, the workers poll
 * fluxo's task queues in the fluxo-test namespace with the shared test bundle.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/api/app';
import { loadConfig, type Config } from '../../src/config';
import type { TaskQueue } from '../../src/domain/task-queues';
import { createStores, type Stores } from '../../src/stores';
import { connectTemporal, type TemporalStore } from '../../src/stores/temporal';
import { createWorkers } from '../../src/workers/run-workers';
import { loadWorkflowBundle } from '../setup/workflow-bundle';
import { quietRuntime } from './temporal';

export interface TestApi {
  url: string;
  app: FastifyInstance;
  config: Config;
  stores: Stores;
  temporal: TemporalStore;
  close(): Promise<void>;
}

export async function startTestApi(overrides: Partial<Record<string, string>> = {}): Promise<TestApi> {
  const config = loadConfig({ ...process.env, ...overrides });
  const temporal = await connectTemporal(config);
  const stores = createStores(config);
  const app = await buildApp({ config, temporal: temporal.client, temporalHealth: temporal, stores, logger: pino({ level: 'silent' }) });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    app,
    config,
    stores,
    temporal,
    async close() {
      await app.close();
      await stores.close();
      await temporal.close();
    },
  };
}

export interface TestWorkers {
  workers: Worker[];
  stores: Stores;
  /** Resolves when every worker has drained and stopped. */
  stop(): Promise<void>;
}

export async function startTestWorkers(taskQueues: TaskQueue[], overrides: Partial<Record<string, string>> = {}): Promise<TestWorkers> {
  quietRuntime();
  const config = loadConfig({ ...process.env, ...overrides });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const stores = createStores(config);
  const workers = await createWorkers({ config, connection, stores, workflowBundle: loadWorkflowBundle(), taskQueues });
  const running = workers.map((worker) => worker.run());
  return {
    workers,
    stores,
    async stop() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.allSettled(running);
      await stores.close();
      await connection.close();
    },
  };
}

/** Polls `check` until it returns a value or the deadline passes (workflows finish asynchronously). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
