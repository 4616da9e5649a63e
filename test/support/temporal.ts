/**
 * Temporal for tests: the stack's dev server (namespace fluxo-test) for most workflow tests, the locally
 * installed time-skipping test server for timer-heavy ones. Nothing is downloaded.
 */
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, Worker, type WorkerOptions } from '@temporalio/worker';
import { fluxoHome } from '../../scripts/stack/context';
import { loadWorkflowBundle } from '../setup/workflow-bundle';

let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed in this process */
  }
}

export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createFromExistingServer({
    address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'fluxo-test',
  });
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: { type: 'existing-path', path: join(fluxoHome(), 'cache', 'temporal-venv', 'bin', 'temporal-test-server') },
    },
  });
}

/** A worker on the shared test bundle; a unique task queue per test keeps tests from stealing each other's tasks. */
export async function testWorker(
  env: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath' | 'namespace'>,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: loadWorkflowBundle(),
    ...options,
  });
}

let counter = 0;
export const uniqueQueue = (name: string) => `test-${name}-${process.pid}-${Date.now()}-${counter++}`;
