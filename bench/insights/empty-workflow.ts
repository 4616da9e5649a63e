/**
 * The Temporal ceiling of insight ingestion: a workflow that does nothing but receive the change signal it is
 * started with (signal-with-start, as the API starts `insight-<id>`) and complete. Its throughput on the same
 * server, worker settings and concurrency is the most one workflow per insight can give, whatever the
 * activities cost. Bench-only; bundled by the benchmark's own worker (./temporal-ceiling.ts).
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const emptyChangeSignal = defineSignal<[{ changeId: string }]>('change');

export async function emptyInsightWorkflow(): Promise<void> {
  let received = false;
  setHandler(emptyChangeSignal, () => {
    received = true;
  });
  await condition(() => received);
}
