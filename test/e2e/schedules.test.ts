/**
 * Schedules: the registry applied idempotently (create, unchanged, update keeping an operator's pause, prune
 * only what fluxo created), `npm run schedules:apply`, and the HTTP API (list, describe, trigger, pause/unpause,
 * backfill) on the real dev server with a worker running the started workflows.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { ProbeInput } from '../../src/domain/probe';
import { scheduleDefinitions } from '../../src/workers/schedules';
import { applySchedules, validateDefinitions } from '../../src/workers/schedules/apply';
import type { ScheduleDefinition } from '../../src/workers/schedules/types';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { json } from '../support/http';

const ROOT = join(__dirname, '..', '..');
const RUN = randomUUID().slice(0, 8);
let api: TestApi;
let workers: TestWorkers;
let client: Client;
const created = new Set<string>();

const probeInput = (probeId: string): ProbeInput => ({
  probeId,
  message: `scheduled ${RUN}`,
  holdSeconds: 0,
  workSeconds: 0,
  context: { requestId: `schedule-test-${RUN}`, principal: 'schedule:test' },
});

function definition(suffix: string, overrides: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  const id = `test-${suffix}-${RUN}`;
  created.add(id);
  return {
    id,
    description: `test schedule ${suffix}`,
    // New Year's midnight: never fires by itself during a test run.
    spec: { cronExpressions: ['0 0 1 1 *'], timezone: 'UTC' },
    workflowType: 'probeWorkflow',
    taskQueue: 'system',
    args: [probeInput(randomUUID())],
    workflowId: `probe-${suffix}-${RUN}`,
    summary: `Test schedule ${suffix}`,
    ...overrides,
  };
}

beforeAll(async () => {
  workers = await startTestWorkers(['system']);
  api = await startTestApi({ AUTH_MODE: 'none', QUOTA_REQUESTS: '0' });
  client = api.temporal.client;
});
afterAll(async () => {
  for (const id of created) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await api?.close();
  await workers?.stop();
});

const as = (roles: string) => ({ 'x-user-id': `ops-${RUN}`, 'x-roles': roles });
const post = (path: string, body?: unknown, roles = 'operator') =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { ...as(roles), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

test('applying is idempotent: created, then unchanged, then updated when the definition changes', async () => {
  const first = definition('apply');
  expect(await applySchedules(client, [first])).toEqual([{ id: first.id, outcome: 'created' }]);
  expect(await applySchedules(client, [first])).toEqual([{ id: first.id, outcome: 'unchanged' }]);

  const changed = { ...first, spec: { cronExpressions: ['30 1 1 1 *'], timezone: 'America/Sao_Paulo' } };
  expect(await applySchedules(client, [changed])).toEqual([{ id: first.id, outcome: 'updated' }]);
  const description = await client.schedule.getHandle(first.id).describe();
  expect(description.spec.timezone).toBe('America/Sao_Paulo');
  expect(description.memo).toMatchObject({ managed_by: 'fluxo', description: 'test schedule apply' });
  expect(description.state.paused).toBe(false);
  expect(await applySchedules(client, [changed])).toEqual([{ id: first.id, outcome: 'unchanged' }]);
});

test('an update keeps an operator\'s pause; prune deletes only schedules fluxo created', async () => {
  const kept = definition('pause');
  const stale = definition('stale');
  await applySchedules(client, [kept, stale]);
  expect((await post(`/v1/schedules/${kept.id}/pause`, { note: 'investigating' })).status).toBe(200);

  const unmanagedId = `test-unmanaged-${RUN}`;
  created.add(unmanagedId);
  await client.schedule.create({
    scheduleId: unmanagedId,
    spec: { cronExpressions: ['0 0 1 1 *'] },
    action: { type: 'startWorkflow', workflowType: 'probeWorkflow', taskQueue: 'system', args: [probeInput(randomUUID())] },
    state: { paused: true },
  });

  const results = await eventually(async () => {
    // Listing is eventually consistent: wait until prune sees the stale schedule.
    // Scoped to this run: other tests may own fluxo schedules in this namespace right now.
    const outcome = await applySchedules(client, [{ ...kept, description: 'changed while paused' }], { prune: true, pruneScope: (id) => id.endsWith(RUN) });
    return outcome.some((result) => result.id === stale.id) ? outcome : undefined;
  });
  expect(results).toEqual(expect.arrayContaining([{ id: stale.id, outcome: 'deleted' }]));
  const description = await client.schedule.getHandle(kept.id).describe();
  expect(description.state.paused).toBe(true);
  expect(description.state.note).toBe(`paused by ops-${RUN}: investigating`);
  await expect(client.schedule.getHandle(stale.id).describe()).rejects.toThrow(/not found/i);
  expect((await client.schedule.getHandle(unmanagedId).describe()).scheduleId).toBe(unmanagedId);
});

test('the registry is valid, and a duplicated or badly named id is refused', () => {
  expect(() => validateDefinitions(scheduleDefinitions)).not.toThrow();
  expect(scheduleDefinitions.map((entry) => entry.id)).toContain('system-probe-hourly');
  const one = definition('dup');
  expect(() => validateDefinitions([one, one])).toThrow(`schedule id ${one.id} is defined twice`);
  expect(() => validateDefinitions([{ ...one, id: 'Bad Id' }])).toThrow('must be lower-case kebab-case');
});

test('npm run schedules:apply registers the registry, and a second run changes nothing', async () => {
  const run = () =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/schedules-apply.ts'], { cwd: ROOT, env: process.env });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.on('exit', (code) => resolve({ code, stdout }));
    });
  const first = await run();
  expect(first.code).toBe(0);
  // Clean up only what this run created: other tests may be using the registry's schedules in this namespace.
  for (const match of first.stdout.matchAll(/schedules: created +(\S+)/g)) created.add(match[1]!);
  expect(first.stdout).toMatch(/schedules: (created|unchanged|updated) +system-probe-hourly/);
  const second = await run();
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/schedules: unchanged +system-probe-hourly/);
  expect(second.stdout).toContain(`applied in namespace ${api.config.TEMPORAL_NAMESPACE}`);
}, 90_000);

test('the API lists and describes schedules, triggers a run now, pauses and unpauses with a note', async () => {
  const entry = definition('api');
  await applySchedules(client, [entry]);

  const listed = await eventually(async () => {
    const body = await json(await fetch(`${api.url}/v1/schedules`, { headers: as('viewer') }));
    return body.schedules.find((schedule: { schedule_id: string }) => schedule.schedule_id === entry.id);
  });
  expect(listed).toMatchObject({ workflow_type: 'probeWorkflow', managed_by_fluxo: true, description: 'test schedule api', paused: false });
  expect(listed.next_action_times[0]).toMatch(/-01-01T00:00:00/);

  const triggered = await post(`/v1/schedules/${entry.id}/trigger`);
  expect(triggered.status).toBe(202);
  expect(await json(triggered)).toEqual({ schedule_id: entry.id, status: 'triggered', status_url: `/v1/schedules/${entry.id}` });
  const run = await eventually(async () => {
    const detail = await json(await fetch(`${api.url}/v1/schedules/${entry.id}`, { headers: as('viewer') }));
    return detail.recent_actions[0];
  });
  expect(run.workflow_id).toMatch(new RegExp(`^probe-api-${RUN}-`));
  const started = client.workflow.getHandle(run.workflow_id);
  expect(await started.result()).toMatchObject({ message: `scheduled ${RUN}` });
  const description = await started.describe();
  expect(description.searchAttributes.Principal).toEqual([`schedule:${entry.id}`]);
  expect(await description.staticSummary()).toBe('Test schedule api');

  const paused = await post(`/v1/schedules/${entry.id}/pause`, { note: 'month-end freeze' });
  expect(await json(paused)).toMatchObject({ paused: true, note: `paused by ops-${RUN}: month-end freeze`, task_queue: 'system' });
  const unpaused = await post(`/v1/schedules/${entry.id}/unpause`);
  expect(await json(unpaused)).toMatchObject({ paused: false, note: `unpaused by ops-${RUN}` });
});

test('backfill runs every missed time in the range; bad ranges are 400s naming the field', async () => {
  // Midnight on the first of each month.
  const entry = definition('backfill', { overlap: 'ALLOW_ALL', spec: { cronExpressions: ['0 0 1 * *'], timezone: 'UTC' } });
  await applySchedules(client, [entry]);

  const backwards = await post(`/v1/schedules/${entry.id}/backfill`, { from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' });
  expect(backwards.status).toBe(400);
  expect((await json(backwards)).invalid_params).toEqual([{ name: 'body.to', reason: 'must be after body.from' }]);
  const missing = await post(`/v1/schedules/${entry.id}/backfill`, { to: 'yesterday' });
  expect(missing.status).toBe(400);
  expect((await json(missing)).invalid_params.map((param: { name: string }) => param.name).sort()).toEqual(['body.from', 'body.to']);
  const tooLong = await post(`/v1/schedules/${entry.id}/backfill`, { from: '2020-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' });
  expect(tooLong.status).toBe(400);

  // Two first-of-month midnights in range: two runs, named after their scheduled times.
  const accepted = await post(`/v1/schedules/${entry.id}/backfill`, { from: '2024-12-15T00:00:00Z', to: '2025-02-15T00:00:00Z' });
  expect(accepted.status).toBe(202);
  for (const month of ['2025-01', '2025-02']) {
    const workflowId = `probe-backfill-${RUN}-${month}-01T00:00:00Z`;
    await eventually(async () => ((await client.workflow.getHandle(workflowId).describe()).status.name === 'COMPLETED' ? true : undefined));
  }
});

test('an unknown schedule is a 404 problem for every operation', async () => {
  const id = `missing-${RUN}`;
  expect((await fetch(`${api.url}/v1/schedules/${id}`, { headers: as('viewer') })).status).toBe(404);
  for (const action of ['trigger', 'pause', 'unpause']) {
    const response = await post(`/v1/schedules/${id}/${action}`);
    expect([action, response.status, (await json(response)).type]).toEqual([action, 404, 'https://fluxo.dev/problems/not-found']);
  }
  expect((await post(`/v1/schedules/${id}/backfill`, { from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' })).status).toBe(404);
});
