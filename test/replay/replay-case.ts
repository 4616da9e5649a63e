import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TaskQueue } from '../../src/domain/task-queues';

/**
 * One recorded history: a workflow run to completion on the real servers by `npm run histories:record`,
 * saved to test/replay/histories/<name>.json and replayed by replay.test.ts against today's workflow code.
 */
export interface ReplayCase {
  /** File name (without .json); by convention `<workflowType>-<scenario>`. */
  name: string;
  /** Task queues whose workers must run while recording. */
  taskQueues: TaskQueue[];
  /** Starts the workflow and returns its handle; the recorder waits for the result. */
  start(client: Client): Promise<WorkflowHandle>;
  /** Optional: drives the run to completion (signals, updates) after it started. */
  drive?(client: Client, handle: WorkflowHandle): Promise<void>;
}
