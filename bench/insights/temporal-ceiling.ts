/**
 * Runs `count` empty workflows (./empty-workflow.ts) through signal-with-start at `concurrency`, on a task
 * queue of their own with a default worker, and waits for all of them to complete: the rate one workflow per
 * insight allows on this Temporal server, and the CPU each process spends per workflow.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../../src/config';
import { emptyChangeSignal, type emptyInsightWorkflow } from './empty-workflow';
import { inPool } from '../support/bench-helpers';
import { cpuPerItem, sampleCpu } from './cpu';

export interface CeilingResult {
  wallMs: number;
  rate: number;
  cpu: ReturnType<typeof cpuPerItem>;
}

export async function temporalCeiling(config: Config, client: Client, count: number, concurrency: number): Promise<CeilingResult> {
  const tag = randomUUID().slice(0, 8);
  const taskQueue = `bench-insights-empty-${tag}`;
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    workflowsPath: require.resolve('./empty-workflow'),
  });
  const running = worker.run();
  try {
    const cpuBefore = sampleCpu();
    const started = Date.now();
    const handles: Array<{ result(): Promise<unknown> }> = [];
    await inPool(Array.from({ length: count }, (_, index) => index), concurrency, async (index) => {
      handles.push(
        await client.workflow.signalWithStart<typeof emptyInsightWorkflow, [{ changeId: string }]>('emptyInsightWorkflow', {
          workflowId: `bench-empty-insight-${tag}-${index}`,
          taskQueue,
          signal: emptyChangeSignal,
          signalArgs: [{ changeId: `create:${index}` }],
        }),
      );
    });
    await inPool(handles, concurrency * 2, async (handle) => {
      await handle.result();
    });
    const wallMs = Date.now() - started;
    return { wallMs, rate: count / (wallMs / 1000), cpu: cpuPerItem(cpuBefore, sampleCpu(), count) };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
