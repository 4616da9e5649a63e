/**
 * The alerts event bridge on the real broker, Temporal and PostgreSQL (FLUXO_TEST_SERVICES=postgres,temporal,kafka):
 * malformed events of every kind go to the DLQ with their reason while the consumer goes on; a duplicate event
 * starts nothing; a bridge killed mid-batch and restarted leaves every event evaluated exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { alertWorkflowId } from '../../src/domain/alerts/alert';
import { topicSpecs } from '../../src/domain/topics';
import { createKafkaStore, headerText, type IncomingMessage, type KafkaConsumer, type KafkaStore } from '../../src/stores/kafka';
import { connectTemporal, type TemporalStore } from '../../src/stores/temporal';
import { DLQ_HEADERS } from '../../src/workers/event-bridge/dead-letter';
import { startEventBridge, type EventBridge } from '../../src/workers/event-bridge/bridge';
import { ledgerEventEnvelope, sendRetrying, startAlertsWorker, type AlertsWorker } from '../support/alerts';
import { eventually } from '../support/app';

// Generous: the shared broker may be restarted by other tests' fault injection while these run.
jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..');
const run = randomUUID().slice(0, 8);
const topic = `test.${run}.lancamentos.registrados`;
const settings = {
  ALERTS_EVENTS_TOPIC: topic,
  ALERTS_BRIDGE_GROUP_ID: `test-${run}-bridge`,
  // The local model decides alone: these tests are about delivery, not judgement.
  ALERTS_LLM_ENABLED: 'false',
  KAFKA_TOPIC_PARTITIONS: '3',
};
const config = loadConfig({ ...process.env, ...settings });

let kafka: KafkaStore;
let temporal: TemporalStore;
let workers: AlertsWorker;
let bridge: EventBridge | undefined;
const consumers: KafkaConsumer[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  kafka = createKafkaStore(config);
  await kafka.ensureTopics(topicSpecs(config, [topic]));
  temporal = await connectTemporal(config);
  workers = await startAlertsWorker(settings);
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await bridge?.stop();
  await Promise.all(consumers.map((consumer) => consumer.stop()));
  await workers?.stop();
  await temporal?.close();
  await kafka?.close();
});

const client = (): Client => temporal.client;
const pool = () => workers.postgres.pool();
const send = (messages: { key?: string; value: string | Buffer }[]) => sendRetrying(kafka, topic, messages);
const evaluated = async (eventIds: string[]) =>
  (await pool().query<{ n: number }>('SELECT count(*)::int AS n FROM alert_evaluations WHERE event_id = ANY($1::uuid[])', [eventIds])).rows[0]!.n;
const executions = (query: string) => client().workflow.count(query).then((result) => result.count);

async function startBridge(): Promise<EventBridge> {
  bridge = await startEventBridge({ kafka, temporal: client(), config, logger: pino({ level: 'silent' }) });
  return bridge;
}

test('each kind of malformed event goes to the DLQ with its reason, and the consumer keeps going', async () => {
  const key = `acc-dlq-${run}`;
  const good = ledgerEventEnvelope({}, { account_id: key, amount: '10.00' });
  const malformed: [string, string | Buffer][] = [
    ['not_json', '{"event_id": "truncated'],
    ['not_json', Buffer.alloc(0)],
    ['not_an_envelope', JSON.stringify({ hello: 'world' })],
    ['unknown_event_type', JSON.stringify(ledgerEventEnvelope({ event_type: 'CatalogoPublicado' }))],
    ['unknown_event_version', JSON.stringify(ledgerEventEnvelope({ event_version: 9 }))],
    ['invalid_payload', JSON.stringify(ledgerEventEnvelope({}, { amount: 'ten', account_id: key }))],
  ];
  // One key: one partition, so the good event comes after every bad one.
  await send([...malformed.map(([, value]) => ({ key, value })), { key, value: JSON.stringify(good) }]);
  await startBridge();

  await eventually(async () => ((await evaluated([good.event_id])) === 1 ? true : undefined), 120_000);
  expect(bridge!.stats().deadLettered).toBe(malformed.length);

  const dead: IncomingMessage[] = [];
  consumers.push(await kafka.consumer(`test-${run}-dlq-reader`, async (message) => void dead.push(message), { topics: [bridge!.dlqTopic] }));
  await eventually(async () => (dead.length >= malformed.length ? true : undefined), 120_000);
  dead.sort((a, b) => Number(headerText(a.headers[DLQ_HEADERS.sourceOffset])) - Number(headerText(b.headers[DLQ_HEADERS.sourceOffset])));
  expect(dead).toHaveLength(malformed.length);
  dead.forEach((message, index) => {
    const [kind, value] = malformed[index]!;
    expect(headerText(message.headers[DLQ_HEADERS.kind])).toBe(kind);
    expect(headerText(message.headers[DLQ_HEADERS.reason])!.length).toBeGreaterThan(5);
    expect(headerText(message.headers[DLQ_HEADERS.sourceTopic])).toBe(topic);
    expect(message.key?.toString()).toBe(key);
    expect((message.value ?? Buffer.alloc(0)).equals(Buffer.from(value))).toBe(true);
  });
  expect(headerText(dead[4]!.headers[DLQ_HEADERS.reason])).toMatch(/unknown event_version 9/);
  expect(headerText(dead[5]!.headers[DLQ_HEADERS.reason])).toMatch(/payload\.amount/);
});

test('a duplicate event starts nothing: one workflow, one decision', async () => {
  await (bridge ?? startBridge());
  const event = ledgerEventEnvelope({}, { account_id: `acc-dup-${run}`, amount: '11.00' });
  const before = bridge!.stats();
  // Twice at once on different partitions, then again after the evaluation finished.
  await send([
    { key: 'a', value: JSON.stringify(event) },
    { key: 'b', value: JSON.stringify(event) },
  ]);
  await eventually(async () => ((await evaluated([event.event_id])) === 1 ? true : undefined), 120_000);
  const handle = client().workflow.getHandle(alertWorkflowId(event.event_id));
  await handle.result();
  const { runId } = await handle.describe();
  await send([{ key: 'c', value: JSON.stringify(event) }]);
  await eventually(async () => {
    const stats = bridge!.stats();
    return stats.started + stats.duplicates - before.started - before.duplicates === 3 ? stats : undefined;
  }, 120_000);
  const after = bridge!.stats();
  expect(after.started - before.started).toBe(1);
  expect(after.duplicates - before.duplicates).toBe(2);
  expect(await executions(`WorkflowId = '${alertWorkflowId(event.event_id)}'`)).toBe(1);
  expect((await handle.describe()).runId).toBe(runId);
  expect(await evaluated([event.event_id])).toBe(1);
});

test('a bridge killed mid-batch and restarted leaves every event evaluated exactly once', async () => {
  await bridge?.stop();
  bridge = undefined;
  const accounts = [0, 1, 2].map((index) => `acc-restart-${run}-${index}`);
  const events = Array.from({ length: 150 }, (_, index) => ledgerEventEnvelope({}, { account_id: accounts[index % 3], amount: `${10 + (index % 7)}.00` }));
  const ids = events.map((event) => event.event_id);
  await send(events.map((event) => ({ key: event.payload.account_id, value: JSON.stringify(event) })));

  // node itself (with tsx as a loader), not the tsx wrapper: SIGKILL must hit the process that consumes.
  const spawnBridge = (): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', 'src/workers/event-bridge-main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...settings, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  const first = spawnBridge();
  children.push(first);
  // Killed (SIGKILL: no graceful stop, no final commit) once some, not all, events were handed over.
  const atKill = await eventually(async () => {
    const count = await evaluated(ids);
    return count >= 20 ? count : undefined;
  }, 120_000, 20);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  expect(atKill).toBeLessThan(events.length);

  const second = spawnBridge();
  children.push(second);
  try {
    await eventually(async () => ((await evaluated(ids)) === events.length ? true : undefined), 150_000);
  } finally {
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }
  // Exactly once: one evaluation workflow per event (no more, none missing), one decision row per event.
  const accountsFilter = accounts.map((account) => `'${account}'`).join(', ');
  await eventually(async () => {
    const count = await executions(`WorkflowType = 'alertEvaluationWorkflow' AND AccountId IN (${accountsFilter})`);
    return count === events.length ? count : undefined;
  });
  const { rows } = await pool().query<{ event_id: string; n: number }>(
    'SELECT event_id::text, count(*)::int AS n FROM alert_evaluations WHERE event_id = ANY($1::uuid[]) GROUP BY 1',
    [ids],
  );
  expect(rows).toHaveLength(events.length);
  expect(rows.every((row) => row.n === 1)).toBe(true);
});
