/**
 * The workflow bundle is built once per test run (webpack takes seconds) and written to a file that
 * every test file loads with `loadWorkflowBundle()`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

/**
 * One file per checkout and isolation (namespace, database): concurrent runs from other clones or with other
 * isolation settings must not load each other's bundle. A function, so it sees the env that env.ts completes.
 */
const bundleFile = () => {
  const run = [join(__dirname, '..', '..'), process.env.TEMPORAL_NAMESPACE, process.env.DATABASE_URL].join('\n');
  return join(tmpdir(), `fluxo-workflow-bundle-${process.getuid?.() ?? 0}-${createHash('sha256').update(run).digest('hex').slice(0, 12)}.js`);
};
export const WORKFLOWS_PATH = require.resolve('../../src/workflows');

export async function buildWorkflowBundle(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  writeFileSync(bundleFile(), code);
}

export function loadWorkflowBundle(): WorkflowBundle {
  const file = bundleFile();
  if (!existsSync(file)) throw new Error('workflow bundle missing: run the tests through jest (globalSetup)');
  return { code: readFileSync(file, 'utf8') };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
