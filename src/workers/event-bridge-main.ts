/**
 * `npm run event-bridge`: the Kafka consumer that starts an alert evaluation per LancamentoRegistrado event
 * (see ./event-bridge/bridge.ts) until SIGTERM/SIGINT, then finishes the message in hand and exits 0.
 * Start-up problems print one line and exit 1.
 */
import { loadConfig } from '../config';
import { topicSpecs } from '../domain/topics';
import { createLogger } from '../observability/logger';
import { createKafkaStore } from '../stores/kafka';
import { connectTemporal } from '../stores/temporal';
import { startEventBridge } from './event-bridge/bridge';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'event-bridge');
  const kafka = createKafkaStore(config);
  const temporal = await connectTemporal(config);
  try {
    // The broker does not auto-create topics: the topic and its DLQ twin are created if missing.
    await kafka.ensureTopics(topicSpecs(config, [config.ALERTS_EVENTS_TOPIC]));
    const bridge = await startEventBridge({ kafka, temporal: temporal.client, config, logger });
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    logger.info(bridge.stats(), 'event bridge stopping');
    await bridge.stop();
  } finally {
    await kafka.close();
    await temporal.close();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`event-bridge: ${error.message}\n`);
    process.exit(1);
  },
);
