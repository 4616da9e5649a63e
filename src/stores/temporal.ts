/**
 * The Temporal client connection used by the API and tools. Connecting fails fast (bounded by
 * TEMPORAL_CONNECT_TIMEOUT_MS) with a message that names the address.
 */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { dataConverterFor } from '../codec/data-converter';
import { clientTracingInterceptors } from '../observability/tracing';
import { connectReason } from './connect-error';
import { withTimeout, type StoreHealth } from './store';

export interface TemporalStore extends StoreHealth {
  client: Client;
  connection: Connection;
}

export async function connectTemporal(config: Config): Promise<TemporalStore> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: config.TEMPORAL_ADDRESS,
      connectTimeout: config.TEMPORAL_CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    throw new Error(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${connectReason(error)}`);
  }
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    // Payload encryption and tracing, when configured: the same converter as the workers'.
    dataConverter: dataConverterFor(config),
    interceptors: clientTracingInterceptors(config),
  });
  return {
    name: 'temporal',
    client,
    connection,
    async check() {
      await withTimeout(
        connection.workflowService.describeNamespace({ namespace: config.TEMPORAL_NAMESPACE }),
        config.TEMPORAL_CONNECT_TIMEOUT_MS,
        'temporal',
      );
    },
    async close() {
      await connection.close();
    },
  };
}

/**
 * A Temporal client for activities that must talk to other workflows (e.g. consolidation asking the ledger
 * buffers to flush through their update): connected on first use, shared by the process.
 */
export interface LazyTemporalClient extends StoreHealth {
  client(): Promise<Client>;
}

export function createLazyTemporalClient(config: Config): LazyTemporalClient {
  let connecting: Promise<TemporalStore> | undefined;
  const connect = () => (connecting ??= connectTemporal(config).catch((error: unknown) => {
    connecting = undefined;
    throw error;
  }));
  return {
    name: 'temporal-client',
    client: async () => (await connect()).client,
    check: async () => (await connect()).check(),
    async close() {
      const current = connecting;
      connecting = undefined;
      if (current) await (await current.catch(() => undefined))?.close();
    },
  };
}
