/**
 * The `catalogo-snapshot` schedule (the seed's nightly Catálogo Publisher): in the registry, and applied to
 * Temporal it fires daily at 02:00 São Paulo time (05:00 UTC: Brazil has had no daylight saving since 2019),
 * starting the scheduled publish wrapper on the catalog task queue for the default catalog.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { taskQueues } from '../../src/domain/task-queues';
import { scheduleDefinitions } from '../../src/workers/schedules';
import { applySchedules } from '../../src/workers/schedules/apply';
import { catalogSchedules } from '../../src/workers/schedules/catalog';

let connection: Connection;
let client: Client;
const created: string[] = [];

beforeAll(async () => {
  const config = loadConfig();
  connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
});
afterAll(async () => {
  for (const id of created) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await connection?.close();
});

test('catalogo-snapshot is in the registry and fires daily at 02:00 America/Sao_Paulo', async () => {
  const definition = scheduleDefinitions.find((candidate) => candidate.id === 'catalogo-snapshot');
  expect(definition).toBe(catalogSchedules[0]);

  // Applied under an id of its own, paused, so it never fires during the test nor meets the real one.
  const id = `catalogo-snapshot-test-${randomUUID().slice(0, 8)}`;
  created.push(id);
  expect(await applySchedules(client, [{ ...definition!, id, paused: true }])).toEqual([{ id, outcome: 'created' }]);

  const described = await client.schedule.getHandle(id).describe();
  const next = described.info.nextActionTimes;
  expect(next.length).toBeGreaterThanOrEqual(3);
  for (const time of next) expect([time.getUTCHours(), time.getUTCMinutes()]).toEqual([5, 0]);
  expect(next[1]!.getTime() - next[0]!.getTime()).toBe(24 * 3600 * 1000);
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'catalogScheduledPublishWorkflow', taskQueue: taskQueues.catalog });
  expect(described.action.type === 'startWorkflow' && described.action.args).toEqual([{ catalogId: 'default', scheduleId: 'catalogo-snapshot' }]);
  expect(described.policies.overlap).toBe('SKIP');
});
