/** The Temporal dev server keeps its state in SQLite: a workflow running across a restart completes. */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { startTestWorkers } from '../support/app';
import { stackDown, stackUp } from '../support/stack';

test('a running workflow survives a Temporal restart and then completes', async () => {
  const config = loadConfig();
  const workers = await startTestWorkers(['system']);
  let connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const probeId = randomUUID();
    await new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }).workflow.start('probeWorkflow', {
      workflowId: `probe-${probeId}`,
      taskQueue: 'system',
      args: [{ probeId, message: 'restart', holdSeconds: 3, workSeconds: 0, context: { requestId: 'restart', principal: 'test' } }],
    });
    await connection.close();

    stackDown('temporal');
    stackUp('temporal');

    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    const handle = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }).workflow.getHandle(`probe-${probeId}`);
    expect(await handle.result()).toMatchObject({ probeId, message: 'restart' });
  } finally {
    await workers.stop();
    await connection.close();
  }
}, 180_000);
