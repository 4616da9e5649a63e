/**
 * A consumer group member that commits a message's offset only after its handler resolved, one message
 * at a time per partition. A process that dies mid-handler leaves the offset uncommitted, so the group
 * redelivers the message to whoever takes the partition over: at-least-once, which is why fluxo's
 * consumers are idempotent by `event_id`.
 *
 * A handler that throws never stops the consumer: `onError` decides between retrying the message (the
 * default) and skipping it (after the caller parked it in a DLQ). kafkajs restarts its consumer after
 * retriable failures (broker restarts); after a non-retriable crash this module starts a fresh one.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { withTimeout } from '../store';
import { rootCause, translate } from './errors';
import type { KafkaLogger } from './logging';
import type { ConsumerOptions, FailureDecision, IncomingMessage, KafkaConsumer, MessageHandler } from './types';

export interface ConsumerDeps {
  kafka: Kafka;
  logger: KafkaLogger;
  brokers: string[];
  timeoutMs: number;
  retry: { retries: number; initialRetryTime: number; maxRetryTime: number };
}

/** Delay before starting a fresh kafkajs consumer after one crashed for good. */
const RECREATE_DELAY_MS = 2000;
/** Back-off between restarts after retriable failures: 0.5 s, 1 s, 2 s ... up to 30 s. */
const RESTART_BASE_DELAY_MS = 500;
const RESTART_MAX_DELAY_MS = 30_000;

export async function startConsumer(
  deps: ConsumerDeps,
  groupId: string,
  handler: MessageHandler,
  options: ConsumerOptions,
): Promise<KafkaConsumer> {
  const { logger } = deps;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const maxRetryDelayMs = Math.max(options.maxRetryDelayMs ?? 30_000, retryDelayMs);
  const joinTimeoutMs = options.joinTimeoutMs ?? Math.max(deps.timeoutMs, 30_000);
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;

  let stopping = false;
  let current: Consumer | undefined;
  let recreateTimer: NodeJS.Timeout | undefined;
  // Wakes every back-off sleep when stop() is called, so a failing message cannot delay shutdown.
  const wakeUps = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeUps.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeUps.add(done);
    });

  async function decide(error: unknown, message: IncomingMessage): Promise<FailureDecision> {
    if (!options.onError) return 'retry';
    try {
      return await options.onError(error, message);
    } catch (onErrorFailure) {
      logger.error(
        { groupId, topic: message.topic, partition: message.partition, offset: message.offset, err: onErrorFailure },
        'kafka consumer: onError failed; the message will be retried',
      );
      return 'retry';
    }
  }

  /** Runs the handler until it succeeds or onError says skip; false when stopped before that. */
  async function deliver(message: Omit<IncomingMessage, 'attempt'>, payload: EachBatchPayload): Promise<boolean> {
    const halted = () => stopping || !payload.isRunning() || payload.isStale();
    for (let attempt = 1; ; attempt += 1) {
      if (halted()) return false;
      const incoming: IncomingMessage = { ...message, attempt };
      try {
        await handler(incoming);
        return true;
      } catch (error) {
        const decision = await decide(error, incoming);
        if (decision === 'skip') return true;
        const delay = Math.min(retryDelayMs * 2 ** (attempt - 1), maxRetryDelayMs);
        logger.warn(
          { groupId, topic: message.topic, partition: message.partition, offset: message.offset, attempt, err: error },
          `kafka consumer: handler failed; retrying in ${delay} ms`,
        );
        await pause(delay);
        // Keeps the group membership alive while a message keeps failing.
        if (!halted()) await payload.heartbeat();
      }
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (const raw of batch.messages) {
      const handled = await deliver(toIncoming(batch.topic, batch.partition, raw), payload);
      if (!handled) return;
      payload.resolveOffset(raw.offset);
      // autoCommitThreshold 1: commits this offset now, so a crash re-delivers at most the message in hand.
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  }

  /**
   * kafkajs asks this before restarting after a retriable failure (broker gone, coordinator moving).
   * Its own delay is fixed and short, which floods the log while a broker is down; this backs off instead,
   * and says so in one line per attempt.
   */
  let restarts = 0;
  async function restartOnFailure(error: Error): Promise<boolean> {
    if (stopping) return false;
    // The broker answered (e.g. "coordinator is loading" right after a restart): that clears in a moment.
    // Only an unreachable broker earns the growing back-off.
    const answered = Boolean(rootCause(error).type);
    restarts = answered ? restarts : restarts + 1;
    const delay = answered
      ? RESTART_BASE_DELAY_MS
      : Math.min(RESTART_BASE_DELAY_MS * 2 ** (restarts - 1), RESTART_MAX_DELAY_MS);
    logger.warn(
      { groupId, restarts },
      `kafka consumer ${groupId} lost its broker or coordinator (${rootCause(error).message ?? error.message}); restarting in ${delay} ms`,
    );
    await pause(delay);
    return !stopping;
  }

  async function launch(): Promise<void> {
    const consumer = deps.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      // A member silent this long is dropped and its partitions reassigned.
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      // An idle fetch waits this long on the broker, and stop() waits for that fetch: 1 s instead of
      // kafkajs's 5 s keeps shutdowns quick, at the cost of one small request a second while idle.
      maxWaitTimeInMs: 1000,
      retry: { ...deps.retry, restartOnFailure },
    });
    current = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      restarts = 0;
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      if (stopping || restart || current !== consumer) return;
      // kafkajs gave up on this consumer (non-retriable error); a fresh one rejoins the group.
      logger.error({ groupId, err: error }, `kafka consumer crashed; starting a new one in ${RECREATE_DELAY_MS} ms`);
      recreateTimer = setTimeout(() => {
        recreateTimer = undefined;
        if (!stopping) launch().catch((launchError) => logger.error({ groupId, err: launchError }, 'kafka consumer restart failed'));
      }, RECREATE_DELAY_MS);
    });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch,
    });
    await joined;
  }

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearTimeout(recreateTimer);
    for (const wake of [...wakeUps]) wake();
    const consumer = current;
    current = undefined;
    if (consumer) {
      await withTimeout(consumer.disconnect(), stopTimeoutMs, `kafka consumer ${groupId} stop`).catch((error) => {
        logger.warn({ groupId, err: error }, 'kafka consumer did not stop cleanly');
      });
    }
  }

  try {
    await withTimeout(launch(), joinTimeoutMs, `kafka consumer ${groupId} joining its group`);
  } catch (error) {
    await stop();
    throw translate(error, `consumer ${groupId} start`, deps.brokers, options.topics.join(','));
  }
  return { groupId, stop };
}

function toIncoming(topic: string, partition: number, raw: KafkaMessage): Omit<IncomingMessage, 'attempt'> {
  const headers: Record<string, Buffer | undefined> = {};
  for (const [name, value] of Object.entries(raw.headers ?? {})) {
    // kafkajs types allow arrays for repeated headers; fluxo never repeats one, so the last wins.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    headers[name] = last === undefined ? undefined : Buffer.isBuffer(last) ? last : Buffer.from(String(last));
  }
  return {
    topic,
    partition,
    offset: raw.offset,
    key: raw.key,
    value: raw.value,
    headers,
    timestamp: raw.timestamp,
  };
}
