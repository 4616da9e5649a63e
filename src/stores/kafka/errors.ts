/**
 * Turns kafkajs errors into one clear line. kafkajs wraps the cause several levels deep
 * (KafkaJSNumberOfRetriesExceeded → KafkaJSProtocolError UNKNOWN_TOPIC_OR_PARTITION), and its own
 * messages ("This server does not host this topic-partition") do not name the topic.
 */
export type KafkaFailure = 'unknown_topic' | 'unavailable' | 'timeout' | 'rejected';

export class KafkaStoreError extends Error {
  constructor(
    readonly failure: KafkaFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KafkaStoreError';
  }
}

interface KafkaJsLikeError {
  name?: string;
  type?: string;
  message?: string;
  retriable?: boolean;
  cause?: unknown;
}

/** The innermost error of a kafkajs cause chain. */
export function rootCause(error: unknown): KafkaJsLikeError {
  let current = error as KafkaJsLikeError;
  while (current && typeof current === 'object' && current.cause && typeof current.cause === 'object') {
    current = current.cause as KafkaJsLikeError;
  }
  return current ?? {};
}

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSNumberOfRetriesExceeded',
]);

/** True when the error means "could not talk to the broker" (as opposed to "the broker said no"). */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof KafkaStoreError) return error.failure === 'unavailable' || error.failure === 'timeout';
  const root = rootCause(error);
  if (root.type) return false; // a protocol error: the broker answered
  return CONNECTION_ERRORS.has(root.name ?? '') || /ECONNREFUSED|ECONNRESET|EPIPE|socket|disconnected/i.test(root.message ?? '');
}

/** Wraps a failed operation on `what` (e.g. `send to lancamentos.registrados`) as a KafkaStoreError. */
export function translate(error: unknown, what: string, brokers: string[], topic?: string): KafkaStoreError {
  if (error instanceof KafkaStoreError) return error;
  const root = rootCause(error);
  if (root.type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new KafkaStoreError(
      'unknown_topic',
      `kafka: ${what} failed: topic "${topic ?? '?'}" does not exist (the broker does not auto-create topics; ` +
        'declare it in src/domain/topics.ts and run ensureTopics)',
      { cause: error },
    );
  }
  if (/timed out after/.test((error as Error)?.message ?? '')) {
    return new KafkaStoreError('timeout', `kafka: ${(error as Error).message} (brokers ${brokers.join(',')})`, { cause: error });
  }
  if (isConnectionFailure(error)) {
    return new KafkaStoreError(
      'unavailable',
      `kafka: ${what} failed: broker ${brokers.join(',')} unreachable (${root.message ?? String(error)})`,
      { cause: error },
    );
  }
  const detail = root.type ? `${root.type}: ${root.message}` : (root.message ?? String(error));
  return new KafkaStoreError('rejected', `kafka: ${what} failed: ${detail}`, { cause: error });
}
