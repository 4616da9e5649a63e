/**
 * A worker for the consolidation's workflow tests: the real activities and stores on the dev server, on a task
 * queue of the test's own (children and activities follow their workflow's queue), with the data lake in a
 * folder of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createConsolidationActivities } from '../../src/activities/consolidation';
import { loadConfig, type Config } from '../../src/config';
import type { ConsolidationInput, ConsolidationResult } from '../../src/domain/consolidation/run';
import { consolidationWorkflowId } from '../../src/domain/consolidation/run';
import { createStores, type Stores } from '../../src/stores';
import { devServerEnv, testWorker, uniqueQueue } from './temporal';

export interface ConsolidationHarness {
  env: TestWorkflowEnvironment;
  client: Client;
  config: Config;
  stores: Stores;
  taskQueue: string;
  worker: Worker;
  /** Runs the day's consolidation to its end (result, or the failure rejected). */
  consolidate(dataRef: string, overrides?: Partial<ConsolidationInput>): Promise<ConsolidationResult>;
  stop(): Promise<void>;
}

export async function startConsolidationHarness(name: string, overrides: Record<string, string> = {}): Promise<ConsolidationHarness> {
  const lake = mkdtempSync(join(tmpdir(), `fluxo-${name}-`));
  const config = loadConfig({
    ...process.env,
    STORAGE_BACKEND: 'local',
    STORAGE_LOCAL_DIR: lake,
    // Small parts and partitions, so a test's few hundred rows exercise several of each.
    CONSOLIDATION_PARQUET_ROWS_PER_FILE: '70',
    CONSOLIDATION_PARTITIONS: '4',
    CONSOLIDATION_CONCURRENCY: '3',
    // No ledger buffer workflows of this prefix exist: completeness finds them absent (the ledger tests cover real ones).
    LEDGER_BUFFER_ID_PREFIX: `t-${name}-${process.pid}`,
    LEDGER_SHARDS: '2',
    ...overrides,
  });
  const env = await devServerEnv();
  const stores = createStores(config);
  const taskQueue = uniqueQueue(name);
  const worker = await testWorker(env, { taskQueue, activities: createConsolidationActivities(stores, config) });
  const running = worker.run();
  return {
    env,
    client: env.client,
    config,
    stores,
    taskQueue,
    worker,
    consolidate: (dataRef, input = {}) =>
      env.client.workflow.execute('consolidationWorkflow', {
        workflowId: consolidationWorkflowId(dataRef),
        taskQueue,
        args: [{ dataRef, requestedBy: 'test', requestId: `test-${name}`, ...input } satisfies ConsolidationInput],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      }) as Promise<ConsolidationResult>,
    async stop() {
      worker.shutdown();
      await running.catch(() => undefined);
      await stores.close();
      await env.teardown();
      rmSync(lake, { recursive: true, force: true });
    },
  };
}
