/**
 * `npm run histories:record [name...]`: runs each replay case on the real stack (namespace fluxo-test, the
 * test database) and saves its history. Commit the JSON: replay.test.ts then proves that today's workflow
 * code replays yesterday's histories (determinism; changes need `patched()`).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { fluxoHome } from '../../scripts/stack/context';
import { loadConfig } from '../../src/config';
import { buildWorkflowBundle } from '../setup/workflow-bundle';
import { startTestWorkers } from '../support/app';
import { loadReplayCases } from './load-cases';

async function main(names: string[]): Promise<void> {
  require('../setup/env');
  const config = loadConfig();
  await buildWorkflowBundle();
  const cases = loadReplayCases().filter((replayCase) => names.length === 0 || names.includes(replayCase.name));
  const queues = [...new Set(cases.flatMap((replayCase) => replayCase.taskQueues))];
  const workers = await startTestWorkers(queues);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  try {
    for (const replayCase of cases) {
      const handle = await replayCase.start(client);
      await replayCase.drive?.(client, handle);
      await handle.result();
      // The real CLI writes the canonical proto JSON that historyFromJSON reads back.
      const json = execFileSync(join(fluxoHome(), 'cache', 'temporal-venv', 'bin', 'temporal'), [
        'workflow', 'show', '--workflow-id', handle.workflowId, '--output', 'json',
        '--address', config.TEMPORAL_ADDRESS, '--namespace', config.TEMPORAL_NAMESPACE,
      ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      writeFileSync(join(__dirname, 'histories', `${replayCase.name}.json`), json);
      console.log(`recorded ${replayCase.name} (${JSON.parse(json).events.length} events)`);
    }
  } finally {
    await workers.stop();
    await connection.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`histories:record: ${error.message}`);
    process.exit(1);
  },
);
