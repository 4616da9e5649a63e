/**
 * Routes kafkajs's own log lines into fluxo's logger. kafkajs runs at WARN (its INFO is a line per
 * connection and rebalance), and the per-request and per-retry lines drop to debug (see NOISY_NAMESPACES).
 * Consumer crashes and restarts stay at error/warn: nothing else reports them.
 */
import { logLevel, type logCreator } from 'kafkajs';

/** The part of a pino logger this module uses. */
export interface KafkaLogger {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Warnings fluxo causes on purpose (see createKafkaStore) and that would repeat on every start. */
const EXPECTED = [/^Limiting retries for the idempotent producer/];

/** Consumer crash/restart lines: ./consumer.ts logs one line of its own per restart instead. */
const REPORTED_BY_FLUXO = [/^Crash: /, /^Restarting the consumer/];

/**
 * Per-request and per-retry lines: a call that finally fails rejects with the error, and one that
 * succeeds on a retry (e.g. NOT_LEADER right after a topic was created) should not log an error at all.
 */
const NOISY_NAMESPACES = new Set(['Connection', 'BrokerPool', 'RequestQueue', 'Producer']);

type Method = keyof KafkaLogger;

function methodFor(namespace: string, level: logLevel, message: string): Method {
  if (NOISY_NAMESPACES.has(namespace)) return 'debug';
  if (namespace === 'Consumer' && REPORTED_BY_FLUXO.some((pattern) => pattern.test(message))) return 'debug';
  if (level === logLevel.ERROR) return 'error';
  if (level === logLevel.WARN) return 'warn';
  return level === logLevel.INFO ? 'info' : 'debug';
}

export function kafkaLogCreator(logger: KafkaLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      if (EXPECTED.some((pattern) => pattern.test(message))) return;
      logger[methodFor(namespace, level, message)]({ kafka: namespace, ...extra }, `kafkajs: ${message}`);
    };
}
