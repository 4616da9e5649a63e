/**
 * `npm run worker`: polls fluxo's task queues (all, or WORKER_TASK_QUEUES) until SIGTERM/SIGINT, then drains
 * in-flight activities and exits 0. Start-up problems print one line and exit 1.
 */
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { temporalLogger } from '../observability/temporal-logger';
import { tracingWorkflowModules } from '../observability/tracing';
import { installWorkerRuntime } from '../observability/worker-metrics';
import { topicSpecs } from '../domain/topics';
import { createStores } from '../stores';
import { connectReason } from '../stores/connect-error';
import { createWorkers, runWorkers, selectedTaskQueues } from './run-workers';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  // The SDK narrates every worker state change at INFO; keep its lines to warnings unless debugging.
  const sdkLevel = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? config.LOG_LEVEL : 'warn';
  await installWorkerRuntime({ logger: temporalLogger(logger.child({ component: 'temporal' }, { level: sdkLevel })) }, config, (message) => logger.warn(message));
  const taskQueues = selectedTaskQueues(config);

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }).catch((error: unknown) => {
    throw new Error(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${connectReason(error)}`);
  });
  const stores = createStores(config);
  try {
    // The native stack creates topics after Kafka starts; elsewhere (compose, managed Kafka) the worker does.
    // Not fatal: events wait in the PostgreSQL outboxes until Kafka is there.
    await stores.kafka.ensureTopics(topicSpecs(config)).catch((error: Error) =>
      logger.warn({ err: error.message }, 'could not ensure Kafka topics; outboxes will hold events until Kafka answers'),
    );
    // Bundled once for all task queues: webpack is the slowest part of start-up.
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      workflowInterceptorModules: tracingWorkflowModules(config),
      logger: temporalLogger(logger.child({ component: 'bundler' }, { level: sdkLevel })),
    });
    const workers = await createWorkers({ config, connection, stores, workflowBundle, taskQueues });
    logger.info({ taskQueues, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
    await runWorkers(workers);
    logger.info('worker stopped after draining in-flight work');
  } finally {
    await stores.close();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`worker: ${error.message}\n`);
    process.exit(1);
  },
);
