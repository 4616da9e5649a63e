import { proxyActivities, setCurrentDetails, sleep } from '@temporalio/workflow';
import type { ProbeInput, ProbeRecord } from '../domain/probe';
import type { ProbeActivities } from '../activities/probe';

const { recordProbe } = proxyActivities<ProbeActivities>({
  startToCloseTimeout: '90 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

/** Waits `holdSeconds` on a durable timer, then records the probe row in PostgreSQL and returns it. */
export async function probeWorkflow(input: ProbeInput): Promise<ProbeRecord> {
  if (input.holdSeconds > 0) {
    setCurrentDetails(`holding for ${input.holdSeconds}s before writing`);
    await sleep(input.holdSeconds * 1000);
  }
  setCurrentDetails('writing the probe row to PostgreSQL');
  const record = await recordProbe(input);
  setCurrentDetails(`recorded at ${record.recordedAt}`);
  return record;
}
