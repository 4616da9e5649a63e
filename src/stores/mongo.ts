/**
 * MongoDB-compatible document store: one MongoClient per process, created on first use. This is the only
 * module that imports `mongodb`; others use the types re-exported below.
 *
 * The native stack runs FerretDB 1.24 (SQLite backend), compose and production may run real MongoDB, so
 * fluxo stays inside the subset both serve. Checked against FerretDB 1.24.2 (docs/services/mongo.md has
 * the full list and what each miss looks like):
 * - works: insert/update/delete, upserts, findOneAndUpdate, bulkWrite, unique and compound indexes,
 *   $set/$inc/$push/$addToSet/$pull/$min updates, $in/$regex/$elemMatch queries, distinct, counts;
 *   aggregation $match, $group with ONE accumulator ($sum or $count), $project (fields only), $sort,
 *   $limit, $skip, $unwind, $set/$addFields, $unset, $count.
 * - missing (clear NotImplemented/BadValue errors): transactions, change streams, $lookup, $facet,
 *   $replaceRoot, expression operators ($multiply, $expr), $avg/$max/$push/$first accumulators,
 *   update pipelines, arrayFilters, positional `$`, collation, text, partial and TTL indexes.
 * - silently different, so avoid: a second accumulator in one $group returns 0 (FerretDB shares one
 *   iterator between accumulators); `sparse` is ignored; a unique index lets many documents miss the
 *   field; Decimal128 drops the connection; an update that breaks a unique index fails with InternalError
 *   instead of E11000 (use isDuplicateKeyError). On SQLite only `{ _id }` lookups use an index.
 */
import {
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type Document,
  type IndexDescriptionInfo,
} from 'mongodb';
import type { Config } from '../config';
import { withTimeout, type StoreHealth } from './store';

export type {
  AnyBulkWriteOperation,
  BulkWriteResult,
  Collection,
  Db,
  Document,
  Filter,
  FindOptions,
  OptionalUnlessRequiredId,
  UpdateFilter,
  WithId,
} from 'mongodb';

/** The settings this store reads; a subset so the stack script can build one without the whole config. */
export type MongoConfig = Pick<
  Config,
  | 'MONGODB_URL'
  | 'MONGODB_DATABASE'
  | 'MONGODB_TIMEOUT_MS'
  | 'MONGODB_SOCKET_TIMEOUT_MS'
  | 'MONGODB_POOL_MAX'
  | 'MONGODB_RETRY_WRITES'
>;

/**
 * An index both servers build the same way: ascending/descending keys and `unique`. Sparse, partial, TTL
 * and text indexes are left out on purpose (FerretDB ignores or rejects them).
 */
export interface IndexSpec {
  key: Record<string, 1 | -1>;
  /** Defaults to MongoDB's generated name, e.g. `account_1_at_-1`. */
  name?: string;
  unique?: boolean;
}

export interface MongoStore extends StoreHealth {
  client(): MongoClient;
  db(): Db;
  collection<T extends Document = Document>(name: string): Collection<T>;
  /**
   * Creates the indexes that are missing; an index that exists with the same key and options is left
   * alone, one that exists under the same name or key with another definition is an error (FerretDB
   * would silently keep the old one, MongoDB would refuse). Returns the names it created.
   */
  ensureIndexes(collection: string, specs: IndexSpec[]): Promise<string[]>;
}

export function createMongoStore(config: MongoConfig): MongoStore {
  let client: MongoClient | undefined;
  const get = () => {
    client ??= new MongoClient(config.MONGODB_URL, {
      appName: 'fluxo',
      serverSelectionTimeoutMS: config.MONGODB_TIMEOUT_MS,
      connectTimeoutMS: config.MONGODB_TIMEOUT_MS,
      socketTimeoutMS: config.MONGODB_SOCKET_TIMEOUT_MS,
      maxPoolSize: config.MONGODB_POOL_MAX,
      retryWrites: config.MONGODB_RETRY_WRITES,
      // Reads carry no side effect, so one driver retry after a dropped connection is safe on both servers.
      retryReads: true,
    });
    return client;
  };
  const db = () => get().db(config.MONGODB_DATABASE);

  return {
    name: 'mongo',
    client: get,
    db,
    collection: <T extends Document = Document>(name: string) => db().collection<T>(name),

    async ensureIndexes(collection, specs) {
      const existing = await listIndexes(db().collection(collection));
      const missing: IndexSpec[] = [];
      for (const spec of specs) {
        const name = spec.name ?? defaultIndexName(spec.key);
        const sameName = existing.find((index) => index.name === name);
        const sameKey = existing.find((index) => sameKeys(index.key, spec.key));
        const found = sameName ?? sameKey;
        if (!found) {
          missing.push({ ...spec, name });
          continue;
        }
        if (found.name !== name || !sameKeys(found.key, spec.key) || Boolean(found.unique) !== Boolean(spec.unique)) {
          throw new Error(
            `mongo: index ${collection}.${found.name} ${JSON.stringify(found.key)}${found.unique ? ' unique' : ''} ` +
              `conflicts with the wanted ${name} ${JSON.stringify(spec.key)}${spec.unique ? ' unique' : ''}; drop it first`,
          );
        }
      }
      if (missing.length === 0) return [];
      return db()
        .collection(collection)
        .createIndexes(missing.map((spec) => ({ key: spec.key, name: spec.name, ...(spec.unique ? { unique: true } : {}) })));
    },

    async check() {
      // The driver's own error (e.g. ECONNREFUSED after server selection) is the clearer one, so the outer
      // guard, which also covers a server that accepts but never answers, fires a little later.
      await withTimeout(
        get()
          .db('admin')
          .command({ ping: 1 })
          .catch((error: unknown) => {
            throw new Error(`mongo: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
          }),
        config.MONGODB_TIMEOUT_MS + 250,
        'mongo',
      );
    },

    async close() {
      const current = client;
      client = undefined;
      await current?.close();
    },
  };
}

/**
 * True for a unique-index violation on either server. MongoDB and FerretDB answer inserts and upserts with
 * E11000 (code 11000), but FerretDB's SQLite backend answers an update that breaks a unique index with
 * InternalError carrying SQLite's "UNIQUE constraint failed".
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 11000 || code === 11001) return true;
  return error instanceof MongoServerError && /UNIQUE constraint failed/.test(error.message);
}

/** MongoDB's generated index name: `field_1_other_-1`. */
export function defaultIndexName(key: Record<string, 1 | -1>): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${direction}`)
    .join('_');
}

/** listIndexes on a collection that does not exist yet fails with NamespaceNotFound (26): no indexes. */
async function listIndexes(collection: Collection): Promise<IndexDescriptionInfo[]> {
  try {
    return await collection.listIndexes().toArray();
  } catch (error) {
    if (error instanceof MongoServerError && error.code === 26) return [];
    throw error;
  }
}

/** Same fields in the same order with the same directions (key order matters to an index). */
function sameKeys(a: Document, b: Record<string, 1 | -1>): boolean {
  const left = Object.entries(a);
  const right = Object.entries(b);
  return left.length === right.length && left.every(([field, dir], i) => field === right[i]![0] && Number(dir) === right[i]![1]);
}
