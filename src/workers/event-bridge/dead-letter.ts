/**
 * A malformed event goes to `<topic>.dlq` as it was (key, value, headers), with headers saying why and where it
 * came from, so a person can fix and replay it. The consumer commits past it only once the DLQ has it.
 */
import type { MalformedKind } from '../../domain/alerts/event';
import type { IncomingMessage, KafkaProducer } from '../../stores/kafka';

export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  kind: 'dlq-kind',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  consumerGroup: 'dlq-consumer-group',
  failedAt: 'dlq-failed-at',
} as const;

export async function deadLetter(
  producer: KafkaProducer,
  dlqTopic: string,
  message: IncomingMessage,
  failure: { kind: MalformedKind; reason: string },
  groupId: string,
): Promise<void> {
  const headers: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined) headers[name] = value;
  Object.assign(headers, {
    [DLQ_HEADERS.reason]: failure.reason.slice(0, 1000),
    [DLQ_HEADERS.kind]: failure.kind,
    [DLQ_HEADERS.sourceTopic]: message.topic,
    [DLQ_HEADERS.sourcePartition]: String(message.partition),
    [DLQ_HEADERS.sourceOffset]: message.offset,
    [DLQ_HEADERS.consumerGroup]: groupId,
    [DLQ_HEADERS.failedAt]: new Date().toISOString(),
  });
  await producer.send(dlqTopic, [{ key: message.key, value: message.value ?? Buffer.alloc(0), headers }]);
}
