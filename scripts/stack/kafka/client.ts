/** fluxo's own Kafka store, silenced, for the stack's readiness checks and topic creation. */
import { createKafkaStore, type KafkaLogger, type KafkaStore } from '../../../src/stores/kafka';

const silent: KafkaLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A store pointed at `broker` (e.g. 127.0.0.1:9092), whatever KAFKA_BROKERS says. */
export function stackKafkaStore(broker: string, timeoutMs: number): KafkaStore {
  return createKafkaStore(
    { KAFKA_BROKERS: [broker], KAFKA_CLIENT_ID: 'fluxo-stack', KAFKA_TIMEOUT_MS: timeoutMs, LOG_LEVEL: 'silent' },
    silent,
  );
}

/** True when the broker answers a metadata request within `timeoutMs`. */
export async function brokerAnswers(broker: string, timeoutMs = 2000): Promise<boolean> {
  const store = stackKafkaStore(broker, timeoutMs);
  try {
    await store.check();
    return true;
  } catch {
    return false;
  } finally {
    await store.close();
  }
}
