/**
 * The Temporal Web UI of the dev server, in a real browser (Debian Chromium driven by playwright-core): a probe
 * started through the API (with an API key) is found in the workflow list, by its id and by the Principal search
 * attribute, and its page shows its summary and search attributes. Screenshots go to test-artifacts/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { apiKeyWith, bearer } from '../support/auth-fixtures';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { json } from '../support/http';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const UI_TIMEOUT = 120_000;
const RUN = randomUUID().slice(0, 8);

let api: TestApi;
let workers: TestWorkers;
let browser: BrowserContext;
let userDataDir: string;
let workflowId: string;
let principal: string;
const message = `browser check ${RUN}`;

/** test/browser/ensure-chromium.sh installs Debian's chromium once (apt), when /usr/bin/chromium is missing. */
function ensureChromium(): Promise<void> {
  const child = spawn(join(__dirname, 'ensure-chromium.sh'), { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ensure-chromium.sh exited ${code}`)))));
}

beforeAll(async () => {
  await ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  workers = await startTestWorkers(['system']);
  api = await startTestApi({ AUTH_MODE: 'apikey' });
  const name = `browser-${RUN}`;
  principal = `apikey:${name}`;
  const { key } = await apiKeyWith(api.stores.postgres.pool(), ['operator'], name);
  const response = await fetch(`${api.url}/v1/probes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': `browser-${RUN}`, ...bearer(key) },
    body: JSON.stringify({ message }),
  });
  expect(response.status).toBe(202);
  workflowId = (await json(response)).workflow_id;
  await eventually(async () => ((await api.temporal.client.workflow.getHandle(workflowId).describe()).status.name === 'COMPLETED' ? true : undefined));
  // The UI lists from visibility, which trails describe(); its list does not refresh by itself.
  const listed = `WorkflowId = "${workflowId}" AND ExecutionStatus = "Completed" AND Principal = "${principal}"`;
  await eventually(async () => ((await api.temporal.client.workflow.count(listed)).count === 1 ? true : undefined));

  userDataDir = mkdtempSync(join(tmpdir(), 'fluxo-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await api?.close();
  await workers?.stop();
});

const uiUrl = () => `${api.config.TEMPORAL_UI_URL}/namespaces/${api.config.TEMPORAL_NAMESPACE}`;

/** Opens the list for `query` and waits for the probe's row; reloads once if the first load came up empty. */
async function openList(page: Page, query: string): Promise<void> {
  const row = page.getByText(workflowId, { exact: true }).first();
  for (let attempt = 1; ; attempt++) {
    await page.goto(`${uiUrl()}/workflows?query=${encodeURIComponent(query)}`);
    try {
      await row.waitFor({ timeout: UI_TIMEOUT / 2 });
      return;
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, `web-ui-list-attempt-${attempt}.png`), fullPage: true });
      if (attempt === 2) throw error;
    }
  }
}

test('the workflow list finds the probe by id and by the Principal search attribute', async () => {
  const page = await browser.newPage();
  await openList(page, `WorkflowId = "${workflowId}"`);
  await page.screenshot({ path: join(ARTIFACTS, 'web-ui-workflows.png'), fullPage: true });
  await openList(page, `Principal = "${principal}" AND WorkflowType = "probeWorkflow"`);
  expect(await page.getByText('COMPLETED').count()).toBeGreaterThan(0);
  await page.close();
}, 300_000);

test('the workflow page shows its summary and its search attributes', async () => {
  const page = await browser.newPage();
  await openList(page, `WorkflowId = "${workflowId}"`);
  await page.getByText(workflowId, { exact: true }).first().click();
  await page.getByRole('tab', { name: 'User Metadata' }).waitFor({ timeout: UI_TIMEOUT });

  // The UI renders the summary (markdown) in a sandboxed frame.
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const summary = await eventually(async () => {
    const frame = page.frames().find((candidate) => candidate.url().includes('/render?content=Probe'));
    const text = frame ? await frame.locator('body').innerText() : undefined;
    return text?.includes(message) ? text : undefined;
  }, UI_TIMEOUT, 500);
  expect(summary).toContain(`Probe: ${message}`);
  await page.screenshot({ path: join(ARTIFACTS, 'web-ui-summary.png'), fullPage: true });

  await page.getByRole('tab', { name: 'Search Attributes' }).click();
  await page.getByText(`"Principal": "${principal}"`).waitFor({ timeout: UI_TIMEOUT });
  await page.getByText(`"RequestId": "browser-${RUN}"`).waitFor({ timeout: UI_TIMEOUT });
  await page.screenshot({ path: join(ARTIFACTS, 'web-ui-search-attributes.png'), fullPage: true });
  await page.close();
}, 300_000);
