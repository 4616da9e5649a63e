/**
 * fluxo's Kafka store against the real native broker (FLUXO_TEST_SERVICES=kafka). Each run uses topics
 * and groups of its own, so it never reads or writes the dev topics.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config';
import { dlqOf, topicNames, topicSpecs } from '../../../src/domain/topics';
import {
  createKafkaStore,
  headerText,
  type ConsumerOptions,
  KafkaStoreError,
  type IncomingMessage,
  type KafkaConsumer,
  type KafkaStore,
} from '../../../src/stores/kafka';
import { stackDown, stackUp } from '../../support/stack';

// Small on purpose: the broker-down test proves a call gives up within this bound.
// Bounds each call; 5 s leaves room for a broker on a loaded 2-core machine while still proving calls never hang.
const TIMEOUT_MS = 5000;
const config = loadConfig({ ...process.env, KAFKA_TIMEOUT_MS: String(TIMEOUT_MS), KAFKA_TOPIC_PARTITIONS: '2' });
const run = randomUUID().slice(0, 8);
const created = new Set<string>();
/** A topic of this run; remembered (with its DLQ twin) so afterAll deletes it. */
const topic = (name: string) => {
  const full = `test.${run}.${name}`;
  created.add(full).add(dlqOf(full));
  return full;
};
const group = (name: string) => `test-${run}-${name}`;

let store: KafkaStore;
const consumers: KafkaConsumer[] = [];

async function consume(
  groupId: string,
  topics: string[],
  handler: (message: IncomingMessage) => Promise<void>,
  options: Pick<ConsumerOptions, 'onError'> = {},
): Promise<KafkaConsumer> {
  const consumer = await store.consumer(groupId, handler, { topics, retryDelayMs: 100, ...options });
  consumers.push(consumer);
  return consumer;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const text = (message: IncomingMessage) => message.value?.toString('utf8');

beforeAll(async () => {
  store = createKafkaStore(config);
  await store.ensureTopics(topicSpecs(config, [topic('roundtrip'), topic('retry'), topic('redelivery'), topic('restart')]));
});

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

afterAll(async () => {
  // A dev broker would otherwise collect a dozen topics per run, and every topic slows its start.
  await store.deleteTopics([...created]);
  await store.close();
});

describe('kafka store', () => {
  test('check() answers from the running broker', async () => {
    await expect(store.check()).resolves.toBeUndefined();
  });

  test('round trip keeps key, value and headers intact', async () => {
    const sent = await store.producer().send(topic('roundtrip'), [
      { key: 'account-42', value: JSON.stringify({ event_id: 'e1', amount: '10.50' }), headers: { event_type: 'LancamentoRegistrado' } },
      { key: Buffer.from([0, 1, 2]), value: Buffer.from([255, 254, 0]) },
    ]);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((record) => record.topic === topic('roundtrip'))).toBe(true);

    const received: IncomingMessage[] = [];
    await consume(group('roundtrip'), [topic('roundtrip')], async (message) => {
      received.push(message);
    });
    await waitFor('both messages', () => received.length === 2);

    const json = received.find((message) => message.key?.toString() === 'account-42');
    expect(json).toBeDefined();
    expect(JSON.parse(text(json!)!)).toEqual({ event_id: 'e1', amount: '10.50' });
    expect(headerText(json!.headers.event_type)).toBe('LancamentoRegistrado');
    expect(json!.attempt).toBe(1);
    const binary = received.find((message) => message !== json);
    expect(binary!.key).toEqual(Buffer.from([0, 1, 2]));
    expect(binary!.value).toEqual(Buffer.from([255, 254, 0]));
  });

  test('ensureTopics creates each topic and its .dlq twin once; a second call is a no-op', async () => {
    const name = topic('ensure');
    const specs = topicSpecs(config, [name]);
    expect(specs.map((spec) => spec.name)).toEqual([name, dlqOf(name)]);

    await expect(store.ensureTopics(specs)).resolves.toEqual({ created: [name, dlqOf(name)] });
    await expect(store.ensureTopics(specs)).resolves.toEqual({ created: [] });
    // The twin exists for real: auto-creation is off, so this send would fail otherwise.
    await expect(store.producer().send(dlqOf(name), [{ value: 'parked' }])).resolves.toHaveLength(1);
  });

  test("the stack created fluxo's registry topics", async () => {
    const registry = topicSpecs(config);
    expect(registry.map((spec) => spec.name)).toEqual(
      expect.arrayContaining([topicNames.ledgerEntryRegistered, dlqOf(topicNames.catalogPublished)]),
    );
    await expect(store.ensureTopics(registry)).resolves.toEqual({ created: [] });
  });

  test('producing to a topic that does not exist is a clear error, not a new topic', async () => {
    const missing = topic('never-declared');
    const started = Date.now();
    const error = await store
      .producer()
      .send(missing, [{ value: 'x' }])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KafkaStoreError);
    expect((error as KafkaStoreError).failure).toBe('unknown_topic');
    expect((error as Error).message).toContain(`topic "${missing}" does not exist`);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    await expect(store.ensureTopics(topicSpecs(config, [missing]))).resolves.toEqual({
      created: [missing, dlqOf(missing)],
    });
  });

  test('a handler that throws sees the message again, and the consumer keeps going', async () => {
    await store.producer().send(topic('retry'), [
      { key: 'same-partition', value: 'first' },
      { key: 'same-partition', value: 'second' },
    ]);
    const seen: string[] = [];
    await consume(group('retry'), [topic('retry')], async (message) => {
      seen.push(`${text(message)}#${message.attempt}`);
      if (text(message) === 'first' && message.attempt === 1) throw new Error('transient failure');
    });
    await waitFor('the second message', () => seen.includes('second#1'));
    expect(seen).toEqual(['first#1', 'first#2', 'second#1']);
  });

  test('offsets are committed only after the handler resolved: a stopped consumer leaves the message for the next', async () => {
    const groupId = group('redelivery');
    await store.producer().send(topic('redelivery'), [{ key: 'k', value: 'must-survive' }]);

    // First member: the handler never succeeds; stopping it must not commit the offset.
    const attempts: string[] = [];
    const failing = await consume(groupId, [topic('redelivery')], async (message) => {
      attempts.push(message.offset);
      throw new Error('always fails');
    });
    await waitFor('a failed attempt', () => attempts.length >= 1);
    await failing.stop();

    // Second member of the same group gets the same message, and this time commits it.
    const redelivered: IncomingMessage[] = [];
    const succeeding = await consume(groupId, [topic('redelivery')], async (message) => {
      redelivered.push(message);
    });
    await waitFor('the redelivery', () => redelivered.length === 1);
    expect(redelivered[0]!.offset).toBe(attempts[0]);
    expect(text(redelivered[0]!)).toBe('must-survive');
    await succeeding.stop();

    // A third member only sees what came after the committed message.
    await store.producer().send(topic('redelivery'), [{ key: 'k', value: 'next' }]);
    const later: string[] = [];
    await consume(groupId, [topic('redelivery')], async (message) => {
      later.push(text(message)!);
    });
    await waitFor('the next message', () => later.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(later).toEqual(['next']);
  });

  test('onError can park a failing message in its DLQ and go on (skip)', async () => {
    const name = topic('dlq-flow');
    await store.ensureTopics(topicSpecs(config, [name]));
    await store.producer().send(name, [
      { key: 'k', value: 'poison' },
      { key: 'k', value: 'fine' },
    ]);
    const handled: string[] = [];
    await consume(
      group('dlq-flow'),
      [name],
      async (message) => {
        if (text(message) === 'poison') throw new Error('cannot parse');
        handled.push(text(message)!);
      },
      {
        // What the event bridge does: park the message with the reason, then move on.
        onError: async (error, message) => {
          await store.producer().send(dlqOf(message.topic), [
            { key: message.key, value: message.value ?? '', headers: { reason: (error as Error).message } },
          ]);
          return 'skip' as const;
        },
      },
    );
    const parked: IncomingMessage[] = [];
    await consume(group('dlq-reader'), [dlqOf(name)], async (message) => {
      parked.push(message);
    });
    await waitFor('the good message and the parked one', () => handled.length === 1 && parked.length === 1);
    expect(handled).toEqual(['fine']);
    expect(text(parked[0]!)).toBe('poison');
    expect(headerText(parked[0]!.headers.reason)).toBe('cannot parse');
  });

  test('a stopped broker gives a clear error within the timeout, and the same store reconnects after', async () => {
    stackDown('kafka');
    try {
      for (const call of [() => store.check(), () => store.producer().send(topic('restart'), [{ value: 'lost' }])]) {
        const started = Date.now();
        const error = await call().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(KafkaStoreError);
        expect((error as Error).message).toMatch(/^kafka: /);
        expect(['unavailable', 'timeout']).toContain((error as KafkaStoreError).failure);
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
      }
    } finally {
      stackUp('kafka');
    }

    await expect(store.check()).resolves.toBeUndefined();
    await store.producer().send(topic('restart'), [{ key: 'after', value: 'restart' }]);
    const received: IncomingMessage[] = [];
    await consume(group('restart'), [topic('restart')], async (message) => {
      received.push(message);
    });
    await waitFor('the message sent after the restart', () => received.length === 1);
    expect(received[0]!.key?.toString()).toBe('after');
    expect(text(received[0]!)).toBe('restart');
  }, 240_000);
});
