/**
 * What the workflow bundle carries. The SDK gives every workflow run its own module cache (even with a reused
 * V8 context), so the top-level code of every module in the bundle runs again for each workflow started. The
 * insight extractor's stop-word table was built that way for every workflow of every kind (a CPU profile of
 * 600 insight workflows showed ~4.6 s in it) until the digest's ordering helpers moved out of the extractor's
 * module (src/domain/insights/ordering.ts). Workflow code must import only small, dependency-free modules.
 */
import { loadWorkflowBundle } from '../setup/workflow-bundle';

const code = loadWorkflowBundle().code;

test.each([
  ['the insight text handling and stop words', 'src/domain/insights/text.ts'],
  ['the stop-word table', 'src/domain/insights/stop-words.ts'],
  ['the keyword extractor', 'src/domain/insights/keywords.ts'],
  ['zod (API schemas)', 'node_modules/zod/'],
  ['the stores', 'src/stores/'],
])('the workflow bundle does not carry %s', (_what, path) => {
  expect(code).toContain('src/workflows/insights/insight.ts');
  expect(code).not.toContain(path);
});
