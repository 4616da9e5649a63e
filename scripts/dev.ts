/**
 * `npm run dev`: brings the native stack up, migrates, applies the schedules, starts the worker, the API and the
 * event bridge, prints the URLs. Ctrl-C stops those processes, and the stack services this run started (ones already up stay up).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { migrate } from '../src/stores/migrate';
import { createPostgresStore } from '../src/stores/postgres';
import { connectTemporal } from '../src/stores/temporal';
import { scheduleDefinitions } from '../src/workers/schedules';
import { applySchedules } from '../src/workers/schedules/apply';
import { devCredentialLines } from '../src/api/auth/dev-admin-key';
import { createContext, fluxoHome } from './stack/context';
import { bringDown, bringUp } from './stack/lifecycle';
import { loadServices } from './stack/registry';
import { StackError, type StackService } from './stack/types';

const ROOT = join(__dirname, '..');
const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');

async function main(): Promise<void> {
  const config = loadConfig();
  const ctx = createContext();
  const startedHere: StackService[] = [];
  for (const service of await loadServices()) {
    if ((await bringUp(ctx, service)) === 'started') startedHere.push(service);
  }

  const postgres = createPostgresStore(config);
  const { applied } = await migrate(postgres.pool()).finally(() => postgres.close());
  if (applied.length > 0) console.log(`dev: applied migrations ${applied.join(', ')}`);
  const credentialLines = await devCredentialLines(config, fluxoHome());
  // The cron replacements exist from the first run (idempotent: unchanged schedules are left alone).
  const temporal = await connectTemporal(config);
  const schedules = await applySchedules(temporal.client, scheduleDefinitions).finally(() => temporal.close());
  const changed = schedules.filter((result) => result.outcome !== 'unchanged').map((result) => `${result.id} (${result.outcome})`);
  if (changed.length > 0) console.log(`dev: schedules ${changed.join(', ')}`);

  const children: ChildProcess[] = [
    spawn(tsx, ['src/workers/main.ts'], { cwd: ROOT, stdio: 'inherit' }),
    spawn(tsx, ['src/api/main.ts'], { cwd: ROOT, stdio: 'inherit' }),
    // Kafka `lancamentos.registrados` → alert evaluation workflows (docs/alerts.md).
    spawn(tsx, ['src/workers/event-bridge-main.ts'], { cwd: ROOT, stdio: 'inherit' }),
  ];

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\ndev: stopping worker, API and event bridge');
    await Promise.all(children.map((child) => exitOf(child, 'SIGTERM')));
    for (const service of startedHere.reverse()) await bringDown(ctx, service);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const child of children) child.on('exit', (code) => !stopping && void stop(code ?? 1));

  const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;
  await waitFor(`${apiUrl}/ready`);
  console.log(
    [
      '',
      'fluxo is running',
      `  API                 ${apiUrl}`,
      `  API docs (OpenAPI)  ${apiUrl}/docs   (spec: ${apiUrl}/openapi.json)`,
      `  Temporal Web UI     ${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows`,
      `  Metrics             ${apiUrl}/metrics`,
      `  Schedules           ${schedules.length} (npm run schedules:apply; ${apiUrl}/v1/schedules)`,
      ...credentialLines,
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

function exitOf(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

async function waitFor(url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

main().catch((error: Error) => {
  const where = error instanceof StackError ? `${error.service}: ` : '';
  process.stderr.write(`dev: ${where}${error.message}\n`);
  process.exit(1);
});
