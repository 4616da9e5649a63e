/**
 * The workflow bundle is built once per test run (webpack takes seconds) and written to a file that
 * every test file loads with `loadWorkflowBundle()`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

const BUNDLE_FILE = join(tmpdir(), `fluxo-workflow-bundle-${process.getuid?.() ?? 0}.js`);
export const WORKFLOWS_PATH = require.resolve('../../src/workflows');

export async function buildWorkflowBundle(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  writeFileSync(BUNDLE_FILE, code);
}

export function loadWorkflowBundle(): WorkflowBundle {
  if (!existsSync(BUNDLE_FILE)) throw new Error('workflow bundle missing: run the tests through jest (globalSetup)');
  return { code: readFileSync(BUNDLE_FILE, 'utf8') };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
