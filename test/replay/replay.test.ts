/** Replays every recorded history against the current workflow bundle: a non-deterministic change fails here. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { loadWorkflowBundle } from '../setup/workflow-bundle';
import { quietRuntime } from '../support/temporal';
import { loadReplayCases } from './load-cases';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((file) => file.endsWith('.json'));

test('every replay case has a recorded history', () => {
  const missing = loadReplayCases()
    .map((replayCase) => `${replayCase.name}.json`)
    .filter((file) => !files.includes(file));
  expect(missing).toEqual([]);
});

test.each(files)('%s replays without non-determinism', async (file) => {
  quietRuntime();
  const history: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  await Worker.runReplayHistory({ workflowBundle: loadWorkflowBundle() }, history, file.replace(/\.json$/, ''));
});
