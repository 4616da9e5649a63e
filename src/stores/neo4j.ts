/**
 * Neo4j over Bolt: one driver per process, created on first use. This is the only module that imports
 * neo4j-driver; the rest of fluxo sees plain rows (Integers → numbers, nodes → objects) and Neo4jStoreError.
 * Reads and writes go through executeRead/executeWrite so the driver retries transient errors (a restart,
 * a deadlock) for up to NEO4J_MAX_RETRY_TIME_MS; the work function may therefore run more than once.
 */
import neo4j, { type AuthToken, type Driver, type ManagedTransaction, type Session } from 'neo4j-driver';
import type { Config } from '../config';
import { withTimeout, type StoreHealth } from './store';

/** The settings this store reads; a subset so the stack script can build one without the whole config. */
export type Neo4jConfig = Pick<
  Config,
  | 'NEO4J_URL'
  | 'NEO4J_USER'
  | 'NEO4J_PASSWORD'
  | 'NEO4J_TIMEOUT_MS'
  | 'NEO4J_DATABASE'
  | 'NEO4J_MAX_RETRY_TIME_MS'
  | 'NEO4J_QUERY_TIMEOUT_MS'
  | 'NEO4J_POOL_MAX'
>;

export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

/** Runs Cypher inside one managed transaction; rows come back as plain values. */
export interface Neo4jTx {
  run<T extends Row = Row>(cypher: string, params?: Params): Promise<T[]>;
}

export interface Neo4jStore extends StoreHealth {
  /** The underlying driver, for what the helpers below do not cover. */
  driver(): Driver;
  /** One read query in a retried read transaction. */
  read<T extends Row = Row>(cypher: string, params?: Params): Promise<T[]>;
  /** One write query in a retried write transaction. */
  write<T extends Row = Row>(cypher: string, params?: Params): Promise<T[]>;
  /** Several statements in one read transaction; `work` may be retried, so keep it free of side effects. */
  readTransaction<T>(work: (tx: Neo4jTx) => Promise<T>): Promise<T>;
  /** Several statements in one write transaction, committed together; `work` may be retried. */
  writeTransaction<T>(work: (tx: Neo4jTx) => Promise<T>): Promise<T>;
}

/** Any failure talking to Neo4j; `code` is Neo4j's (e.g. Neo.ClientError.Statement.SyntaxError). */
export class Neo4jStoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** True for errors worth retrying later (server unavailable, transient); false for bad Cypher or data. */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'Neo4jStoreError';
  }
}

/** What `auth.none()` returns at runtime; neo4j-driver 6.3's index.d.ts leaves `none` out of its `auth` type. */
const NO_AUTH = { scheme: 'none' } as AuthToken;

export function createNeo4jStore(config: Neo4jConfig): Neo4jStore {
  let driver: Driver | undefined;
  const get = () => {
    driver ??= neo4j.driver(
      config.NEO4J_URL,
      config.NEO4J_USER ? neo4j.auth.basic(config.NEO4J_USER, config.NEO4J_PASSWORD) : NO_AUTH,
      {
        connectionTimeout: config.NEO4J_TIMEOUT_MS,
        // The driver warns when acquisition is shorter than connecting, since acquiring may include connecting.
        connectionAcquisitionTimeout: config.NEO4J_TIMEOUT_MS,
        maxTransactionRetryTime: config.NEO4J_MAX_RETRY_TIME_MS,
        maxConnectionPoolSize: config.NEO4J_POOL_MAX,
        userAgent: 'fluxo',
        telemetryDisabled: true,
      },
    );
    return driver;
  };
  const database = config.NEO4J_DATABASE || undefined;
  const txConfig = { timeout: config.NEO4J_QUERY_TIMEOUT_MS };
  // Last-resort client bound: connecting, every retry, then the server-side timeout. Guards against a server
  // that keeps the socket open but never answers, which no driver setting covers.
  const clientBoundMs = config.NEO4J_TIMEOUT_MS + config.NEO4J_MAX_RETRY_TIME_MS + config.NEO4J_QUERY_TIMEOUT_MS;

  async function inSession<T>(mode: 'READ' | 'WRITE', what: string, work: (session: Session) => Promise<T>) {
    const defaultAccessMode = mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE;
    const session = get().session({ database, defaultAccessMode });
    try {
      return await withTimeout(work(session), clientBoundMs, `neo4j ${what}`);
    } catch (error) {
      throw toStoreError(error, config.NEO4J_URL);
    } finally {
      // Not awaited: after a client-side timeout, close() would wait for the same stuck request.
      session.close().catch(() => undefined);
    }
  }

  const transaction = <T>(mode: 'READ' | 'WRITE', work: (tx: Neo4jTx) => Promise<T>) =>
    inSession(mode, mode === 'READ' ? 'read' : 'write', (session) => {
      const body = (tx: ManagedTransaction) => work(wrapTx(tx));
      return mode === 'READ' ? session.executeRead(body, txConfig) : session.executeWrite(body, txConfig);
    });

  return {
    name: 'neo4j',
    driver: get,
    read: (cypher, params) => transaction('READ', (tx) => tx.run(cypher, params)),
    write: (cypher, params) => transaction('WRITE', (tx) => tx.run(cypher, params)),
    readTransaction: (work) => transaction('READ', work),
    writeTransaction: (work) => transaction('WRITE', work),
    async check() {
      // An auto-commit query (no retry loop), so a stopped server fails fast instead of retrying.
      const session = get().session({ database, defaultAccessMode: neo4j.session.READ });
      try {
        const answered = session.run('RETURN 1', {}, { timeout: config.NEO4J_TIMEOUT_MS });
        await withTimeout(answered, config.NEO4J_TIMEOUT_MS, 'neo4j');
      } catch (error) {
        throw toStoreError(error, config.NEO4J_URL);
      } finally {
        session.close().catch(() => undefined);
      }
    },
    async close() {
      const current = driver;
      driver = undefined;
      await current?.close();
    },
  };
}

function wrapTx(tx: ManagedTransaction): Neo4jTx {
  return {
    async run<T extends Row = Row>(cypher: string, params: Params = {}) {
      const result = await tx.run(cypher, params);
      return result.records.map((record) => toPlain(record.toObject()) as T);
    },
  };
}

/** One line naming the problem: Neo4j's code and message, or why the server could not be reached. */
function toStoreError(error: unknown, url: string): Neo4jStoreError {
  if (error instanceof Neo4jStoreError) return error;
  if (error instanceof neo4j.Neo4jError) {
    const retryable = neo4j.isRetryableError(error);
    const message = error.message.split('\n')[0] ?? error.message;
    if (error.code === 'ServiceUnavailable' || error.code === 'SessionExpired') {
      return new Neo4jStoreError(`neo4j at ${url} unavailable: ${message}`, error.code, true, { cause: error });
    }
    // Server errors carry Neo.<Classification>.<Category>.<Title>; driver-side ones (pool acquisition timed
    // out, connection dropped) carry 'N/A' and say the server did not answer, which is worth retrying later.
    if (!error.code.startsWith('Neo.')) {
      const code = error.code === 'N/A' ? 'DriverError' : error.code;
      return new Neo4jStoreError(`neo4j at ${url}: ${message}`, code, true, { cause: error });
    }
    return new Neo4jStoreError(`neo4j ${error.code}: ${message}`, error.code, retryable, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const timedOut = /timed out after/.test(message);
  return new Neo4jStoreError(
    timedOut ? `${message} (${url})` : `neo4j: ${message}`,
    timedOut ? 'Timeout' : 'Unknown',
    timedOut,
    { cause: error },
  );
}

/**
 * Driver values → plain JSON-friendly values: Integers become numbers when within ±2^53 and decimal strings
 * beyond (precision kept, still JSON); nodes and relationships become objects; temporal values become ISO
 * strings; points become {srid, x, y, z?}.
 */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (neo4j.isInt(value)) return neo4j.integer.inSafeRange(value) ? value.toNumber() : value.toString();
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (neo4j.isNode(value)) {
    return { elementId: value.elementId, labels: value.labels, properties: toPlain(value.properties) };
  }
  if (neo4j.isRelationship(value)) {
    return {
      elementId: value.elementId,
      type: value.type,
      startNodeElementId: value.startNodeElementId,
      endNodeElementId: value.endNodeElementId,
      properties: toPlain(value.properties),
    };
  }
  if (neo4j.isPath(value)) {
    return {
      start: toPlain(value.start),
      end: toPlain(value.end),
      segments: value.segments.map((segment) => ({
        start: toPlain(segment.start),
        relationship: toPlain(segment.relationship),
        end: toPlain(segment.end),
      })),
    };
  }
  if (neo4j.isPoint(value)) {
    const point = { srid: toPlain(value.srid), x: value.x, y: value.y };
    return value.z === undefined ? point : { ...point, z: value.z };
  }
  if (
    neo4j.isDate(value) ||
    neo4j.isDateTime(value) ||
    neo4j.isLocalDateTime(value) ||
    neo4j.isTime(value) ||
    neo4j.isLocalTime(value) ||
    neo4j.isDuration(value)
  ) {
    return value.toString();
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPlain(item)]));
}
