/**
 * The ledger outbox relay to Kafka (`lancamentos.registrados`): every persisted entry's
 * LancamentoRegistrado event is delivered in the ARCHITECTURE.md envelope; while Kafka is down the
 * events stay in the outbox, and once it is back every one of them is delivered (at least once, same
 * event_id). Needs FLUXO_TEST_SERVICES=kafka.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { topicNames } from '../../src/domain/topics';
import { createKafkaStore, type KafkaConsumer, type KafkaStore } from '../../src/stores/kafka';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { entryBody, ledgerTestSettings, terminateShards, skipEarlierOutboxRows } from '../support/ledger';
import { stackDown, stackUp } from '../support/stack';

const relayId = `t-ledger-relay-${process.pid}-${Date.now()}`;
const settings = ledgerTestSettings('ledger-kafka', {
  LEDGER_FLUSH_INTERVAL_MS: '300',
  LEDGER_RELAY_ENABLED: 'true',
  LEDGER_RELAY_WORKFLOW_ID: relayId,
  LEDGER_RELAY_IDLE_MS: '300',
  KAFKA_TIMEOUT_MS: '3000',
});
let api: TestApi;
let workers: TestWorkers;
let kafka: KafkaStore;
let consumer: KafkaConsumer;
/** Events received, by request_id (an event may arrive more than once: at least once). */
const received = new Map<string, { event_id: string; event_type: string; payload: Record<string, unknown> }[]>();

beforeAll(async () => {
  const config = loadConfig({ ...process.env, ...settings });
  kafka = createKafkaStore(config);
  workers = await startTestWorkers(['ledger'], settings);
  api = await startTestApi(settings);
  await skipEarlierOutboxRows(api.stores.postgres.pool());
  consumer = await kafka.consumer(
    `t-ledger-relay-${randomUUID()}`,
    async (message) => {
      const event = JSON.parse(message.value!.toString('utf8'));
      const list = received.get(event.payload.request_id) ?? [];
      list.push(event);
      received.set(event.payload.request_id, list);
    },
    // Only events published from now on: older runs' events are not this test's business.
    { topics: [topicNames.ledgerEntryRegistered], fromBeginning: false },
  );
}, 120_000);
afterAll(async () => {
  if (api) {
    await terminateShards(api.temporal.client, settings);
    await api.temporal.client.workflow.getHandle(relayId).terminate('test finished').catch(() => undefined);
  }
  await consumer?.stop();
  await kafka?.close();
  await api?.close();
  await workers?.stop();
}, 60_000);

const post = (body: unknown) =>
  fetch(`${api.url}/v1/lancamentos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function postAll(count: number): Promise<Record<string, unknown>[]> {
  const bodies = Array.from({ length: count }, () => entryBody({ description: 'relay test', metadata: { source: 'jest' } }));
  // A busy machine can make a shard refuse for a moment (503, backpressure): retry like a client would.
  const statuses = await Promise.all(
    bodies.map(async (body) => {
      for (;;) {
        const response = await post(body);
        if (response.status !== 503) return response.status;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }),
  );
  expect(statuses.filter((status) => status !== 202)).toEqual([]);
  return bodies;
}

const allDelivered = (bodies: Record<string, unknown>[]) => bodies.every((body) => received.has(body.request_id as string));

test('persisted entries are published as LancamentoRegistrado events in the envelope', async () => {
  const bodies = await postAll(30);
  await eventually(async () => (allDelivered(bodies) ? true : undefined), 90_000, 250);
  const body = bodies[0]!;
  const [event] = received.get(body.request_id as string)!;
  const { rows } = await api.stores.postgres.pool().query('SELECT ledger_event_id($1)::text AS id, batch_id FROM ledger_entries WHERE request_id = $1', [body.request_id]);
  expect(event).toEqual({
    event_id: rows[0].id,
    event_type: 'LancamentoRegistrado',
    event_version: 1,
    occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    payload: {
      request_id: body.request_id,
      account_id: body.account_id,
      amount: body.amount,
      direction: body.direction,
      data_ref: body.data_ref,
      description: 'relay test',
      metadata: { source: 'jest' },
      batch_id: rows[0].batch_id,
    },
  });
}, 120_000);

test('Kafka down: events wait in the outbox; Kafka back: every one is delivered', async () => {
  stackDown('kafka');
  let bodies: Record<string, unknown>[] = [];
  try {
    bodies = await postAll(60);
    const ids = bodies.map((body) => body.request_id as string);
    // Persisted in PostgreSQL meanwhile, with their outbox rows unsent.
    const pool = api.stores.postgres.pool();
    await eventually(async () => {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE o.sent_at IS NULL)::int AS unsent
         FROM ledger_entries e JOIN ledger_outbox o USING (request_id) WHERE e.request_id = ANY($1::uuid[])`,
        [ids],
      );
      return rows[0].n === ids.length ? rows[0] : undefined;
    }, 60_000, 250).then((counts) => expect(counts).toEqual({ n: 60, unsent: 60 }));
    // A few relay rounds fail while the broker is away; nothing is marked sent.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const { rows } = await pool.query('SELECT count(*)::int AS sent FROM ledger_outbox WHERE request_id = ANY($1::uuid[]) AND sent_at IS NOT NULL', [ids]);
    expect(rows[0].sent).toBe(0);
    expect(bodies.some((body) => received.has(body.request_id as string))).toBe(false);
  } finally {
    stackUp('kafka');
  }
  await eventually(async () => (allDelivered(bodies) ? true : undefined), 150_000, 500);
  const { rows } = await api.stores.postgres
    .pool()
    .query('SELECT count(*)::int AS unsent FROM ledger_outbox WHERE request_id = ANY($1::uuid[]) AND sent_at IS NULL', [bodies.map((body) => body.request_id)]);
  expect(rows[0].unsent).toBe(0);
  for (const body of bodies) {
    const events = received.get(body.request_id as string)!;
    // At least once, and every copy is the same event.
    expect(new Set(events.map((event) => event.event_id)).size).toBe(1);
    expect(events[0]!.payload).toMatchObject({ account_id: body.account_id, amount: body.amount });
  }
}, 300_000);
