/**
 * Creates one Temporal Worker per task queue on a shared connection and workflow bundle, and runs them until
 * shutdown (SIGINT/SIGTERM via the SDK runtime): polling stops, in-flight activities finish, then run resolves.
 */
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Config } from '../config';
import { allTaskQueues, type TaskQueue } from '../domain/task-queues';
import type { Stores } from '../stores';
import { dataConverterFor } from '../codec/data-converter';
import { workerTracingOptions } from '../observability/tracing';
import { activitiesByQueue } from './activities';

export interface WorkerSetOptions {
  config: Config;
  connection: NativeConnection;
  stores: Stores;
  workflowBundle: WorkflowBundle;
  /** Overrides config.WORKER_TASK_QUEUES (tests). */
  taskQueues?: TaskQueue[];
}

export function selectedTaskQueues(config: Config): TaskQueue[] {
  if (config.WORKER_TASK_QUEUES.length === 0) return allTaskQueues;
  const unknown = config.WORKER_TASK_QUEUES.filter((queue) => !allTaskQueues.includes(queue as TaskQueue));
  if (unknown.length > 0) {
    throw new Error(`WORKER_TASK_QUEUES: unknown task queue ${unknown.join(', ')}; known: ${allTaskQueues.join(', ')}`);
  }
  return config.WORKER_TASK_QUEUES as TaskQueue[];
}

export async function createWorkers(options: WorkerSetOptions): Promise<Worker[]> {
  const queues = options.taskQueues ?? selectedTaskQueues(options.config);
  return Promise.all(
    queues.map((taskQueue) =>
      Worker.create({
        connection: options.connection,
        namespace: options.config.TEMPORAL_NAMESPACE,
        taskQueue,
        workflowBundle: options.workflowBundle,
        activities: activitiesByQueue[taskQueue](options.stores, options.config),
        shutdownGraceTime: options.config.WORKER_SHUTDOWN_GRACE_MS,
        // Payload encryption and tracing, when configured (docs/security.md, docs/operations.md).
        dataConverter: dataConverterFor(options.config),
        ...workerTracingOptions(options.config),
      }),
    ),
  );
}

/** Runs every worker; if one fails, the others are shut down so the process does not half-run. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map((worker) =>
      worker.run().catch((error: unknown) => {
        for (const other of workers) if (other !== worker && other.getState() === 'RUNNING') other.shutdown();
        throw error;
      }),
    ),
  );
}
