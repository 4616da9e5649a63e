/**
 * The alerts event bridge: a Kafka consumer group on `lancamentos.registrados` that turns each
 * LancamentoRegistrado into the evaluation workflow `alert-<event_id>`.
 *
 * - Exactly one evaluation per event: the workflow id is the event id, started with REJECT_DUPLICATE (no new run
 *   even after the first one closed) and conflict policy FAIL; "already started" counts as done. Kafka's
 *   redeliveries (a restart mid-batch, the outbox relay's at-least-once) therefore start nothing.
 * - Nothing lost: the offset is committed only after Temporal accepted the start (or the DLQ has the message);
 *   while Temporal or the DLQ is unreachable the message is retried with back-off and nothing after it in its
 *   partition is handled.
 * - Malformed events (not JSON, not an envelope, unknown event_type or event_version, payload violating the
 *   schema) go to `<topic>.dlq` with the reason, and the consumer goes on.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { ALERT_EVALUATION_WORKFLOW, alertWorkflowId, type AlertEvaluationInput, type AlertEvaluationSettings } from '../../domain/alerts/alert';
import { parseLedgerEvent } from '../../domain/alerts/event';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { taskQueues } from '../../domain/task-queues';
import { dlqOf } from '../../domain/topics';
import type { IncomingMessage, KafkaConsumer, KafkaStore } from '../../stores/kafka';
import { deadLetter } from './dead-letter';
import { bridgeEvents } from './metrics';

export type BridgeConfig = Pick<
  Config,
  'ALERTS_EVENTS_TOPIC' | 'ALERTS_BRIDGE_GROUP_ID' | 'ALERTS_BRIDGE_CONCURRENCY' | 'ALERTS_PREFILTER_THRESHOLD' | 'ALERTS_REVIEW_SLA_SECONDS'
>;

export interface EventBridgeOptions {
  kafka: KafkaStore;
  temporal: Client;
  config: BridgeConfig;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Where a group without committed offsets starts; default the oldest message (nothing is skipped). */
  fromBeginning?: boolean;
  /** The task queue of the evaluations (tests use their own). */
  taskQueue?: string;
}

export interface BridgeStats {
  started: number;
  duplicates: number;
  deadLettered: number;
}

export interface EventBridge {
  readonly topic: string;
  readonly dlqTopic: string;
  stats(): BridgeStats;
  /** Finishes the message in hand (committing it), leaves the group, and resolves. */
  stop(): Promise<void>;
}

export async function startEventBridge(options: EventBridgeOptions): Promise<EventBridge> {
  const { kafka, temporal, config, logger } = options;
  const topic = config.ALERTS_EVENTS_TOPIC;
  const dlqTopic = dlqOf(topic);
  const groupId = config.ALERTS_BRIDGE_GROUP_ID;
  const taskQueue = options.taskQueue ?? taskQueues.alerts;
  const settings: AlertEvaluationSettings = {
    prefilterThreshold: config.ALERTS_PREFILTER_THRESHOLD ?? null,
    reviewSlaSeconds: config.ALERTS_REVIEW_SLA_SECONDS,
  };
  const stats: BridgeStats = { started: 0, duplicates: 0, deadLettered: 0 };

  async function handle(message: IncomingMessage): Promise<void> {
    const parsed = parseLedgerEvent(message.value);
    if (!parsed.ok) {
      await deadLetter(kafka.producer(), dlqTopic, message, parsed, groupId);
      stats.deadLettered += 1;
      bridgeEvents.inc({ outcome: 'dead_lettered', kind: parsed.kind });
      logger.warn(
        { topic: message.topic, partition: message.partition, offset: message.offset, kind: parsed.kind, eventId: parsed.eventId },
        `event bridge: malformed event sent to ${dlqTopic}: ${parsed.reason}`,
      );
      return;
    }
    const { event } = parsed;
    const source = `${message.topic}/${message.partition}@${message.offset}`;
    const input: AlertEvaluationInput = { event, settings, source };
    try {
      await temporal.workflow.start(ALERT_EVALUATION_WORKFLOW, {
        workflowId: alertWorkflowId(event.eventId),
        taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        memo: { source, event_type: 'LancamentoRegistrado' },
        typedSearchAttributes: [
          { key: searchAttributeKeys.AccountId, value: event.accountId },
          { key: searchAttributeKeys.Principal, value: `event-bridge:${groupId}` },
        ] as SearchAttributePair[],
        staticSummary: `Alert evaluation: ${event.accountId} ${event.direction} ${event.amount} (entry ${event.requestId})`,
      });
      stats.started += 1;
      bridgeEvents.inc({ outcome: 'started', kind: 'ok' });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      stats.duplicates += 1;
      bridgeEvents.inc({ outcome: 'duplicate', kind: 'ok' });
    }
  }

  const consumer: KafkaConsumer = await kafka.consumer(groupId, handle, {
    topics: [topic],
    fromBeginning: options.fromBeginning ?? true,
    partitionsConsumedConcurrently: config.ALERTS_BRIDGE_CONCURRENCY,
    retryDelayMs: 500,
    maxRetryDelayMs: 30_000,
    // Temporal or the DLQ unreachable: keep the message and try again (never skip what was not handled).
    onError: (error, message) => {
      logger.error(
        { topic: message.topic, partition: message.partition, offset: message.offset, attempt: message.attempt, err: error },
        'event bridge: could not hand the event over; retrying',
      );
      return 'retry';
    },
  });
  logger.info({ topic, dlqTopic, groupId, taskQueue }, 'event bridge consuming');
  return { topic, dlqTopic, stats: () => ({ ...stats }), stop: () => consumer.stop() };
}
