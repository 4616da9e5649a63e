/**
 * fluxo's MongoDB store against the real native server, FerretDB on SQLite (FLUXO_TEST_SERVICES=mongo).
 * Each run uses a database of its own and drops it afterwards, so it never touches the dev database.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config';
import { createMongoStore, isDuplicateKeyError, type IndexSpec, type MongoStore } from '../../../src/stores/mongo';
import { stackDown, stackUp } from '../../support/stack';

// Small on purpose: the server-down test proves a call gives up within this bound.
const TIMEOUT_MS = 1500;
const database = `fluxo_test_${randomUUID().slice(0, 8)}`;
const config = loadConfig({ ...process.env, MONGODB_DATABASE: database, MONGODB_TIMEOUT_MS: String(TIMEOUT_MS) });

interface Account {
  _id: string;
  owner: string;
  balance: number;
  tags?: string[];
}

let store: MongoStore;

beforeAll(() => {
  store = createMongoStore(config);
});

afterAll(async () => {
  await store.db().dropDatabase().catch(() => undefined);
  await store.close();
});

/** Measures how long a promise takes to reject, and with what. */
async function rejection(promise: Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { error: error as Error, ms: Date.now() - started };
  }
  throw new Error('expected a rejection');
}

describe('mongo store', () => {
  test('check() answers from the running server', async () => {
    await expect(store.check()).resolves.toBeUndefined();
  });

  test('insert, upsert and find round trip', async () => {
    const accounts = store.collection<Account>('accounts');
    await accounts.insertOne({ _id: 'acc-1', owner: 'ana', balance: 100, tags: ['gold'] });
    const first = await accounts.updateOne({ _id: 'acc-2' }, { $set: { owner: 'bia' }, $inc: { balance: 5 } }, { upsert: true });
    const second = await accounts.updateOne({ _id: 'acc-2' }, { $set: { owner: 'bia' }, $inc: { balance: 5 } }, { upsert: true });
    expect(first.upsertedId).toBe('acc-2');
    expect(second.upsertedCount).toBe(0);
    expect(second.modifiedCount).toBe(1);

    const found = await accounts.find({ balance: { $gte: 10 } }).sort({ _id: 1 }).toArray();
    expect(found).toEqual([
      { _id: 'acc-1', owner: 'ana', balance: 100, tags: ['gold'] },
      { _id: 'acc-2', owner: 'bia', balance: 10 },
    ]);
  });

  test('bulkWrite applies inserts, updates, upserts and deletes in order', async () => {
    const items = store.collection<Account>('bulk');
    const result = await items.bulkWrite([
      { insertOne: { document: { _id: 'b1', owner: 'x', balance: 1 } } },
      { insertOne: { document: { _id: 'b2', owner: 'y', balance: 2 } } },
      { updateOne: { filter: { _id: 'b1' }, update: { $inc: { balance: 10 } } } },
      { updateOne: { filter: { _id: 'b3' }, update: { $set: { owner: 'z', balance: 3 } }, upsert: true } },
      { deleteOne: { filter: { _id: 'b2' } } },
    ]);
    expect(result.insertedCount).toBe(2);
    expect(result.modifiedCount).toBe(1);
    expect(result.upsertedCount).toBe(1);
    expect(result.deletedCount).toBe(1);
    const rows = await items.find({}).sort({ _id: 1 }).toArray();
    expect(rows).toEqual([
      { _id: 'b1', owner: 'x', balance: 11 },
      { _id: 'b3', owner: 'z', balance: 3 },
    ]);
  });

  test('ensureIndexes is idempotent and a unique index rejects a duplicate with a duplicate-key error', async () => {
    const users = store.collection<{ _id: string; email: string; plan?: string }>('users');
    const specs: IndexSpec[] = [
      { key: { email: 1 }, unique: true },
      { key: { plan: 1, email: -1 }, name: 'plan_email' },
    ];
    expect(await store.ensureIndexes('users', specs)).toEqual(['email_1', 'plan_email']);
    expect(await store.ensureIndexes('users', specs)).toEqual([]);

    await users.insertOne({ _id: 'u1', email: 'ana@example.com' });
    const insert = await rejection(users.insertOne({ _id: 'u2', email: 'ana@example.com' }));
    expect(insert.error.message).toMatch(/duplicate key/i);
    expect((insert.error as Error & { code?: number }).code).toBe(11000);
    expect(isDuplicateKeyError(insert.error)).toBe(true);

    // FerretDB reports this one as InternalError, not E11000; the helper recognises both.
    await users.insertOne({ _id: 'u3', email: 'bia@example.com' });
    const update = await rejection(users.updateOne({ _id: 'u3' }, { $set: { email: 'ana@example.com' } }));
    expect(isDuplicateKeyError(update.error)).toBe(true);
    expect(await users.countDocuments({ email: 'ana@example.com' })).toBe(1);
  });

  test('ensureIndexes refuses an index that exists with another definition', async () => {
    await store.ensureIndexes('conflict', [{ key: { code: 1 } }]);
    await expect(store.ensureIndexes('conflict', [{ key: { code: 1 }, unique: true }])).rejects.toThrow(
      /index conflict\.code_1 .* conflicts with the wanted code_1 .*unique/,
    );
  });

  test('aggregation inside the portable subset', async () => {
    const entries = store.collection<{ account: string; amount: number; tags: string[] }>('entries');
    await entries.insertMany([
      { account: 'a', amount: 10, tags: ['x', 'y'] },
      { account: 'a', amount: 5, tags: ['y'] },
      { account: 'b', amount: 7, tags: [] },
    ]);
    const totals = await entries
      .aggregate([{ $match: { amount: { $gt: 0 } } }, { $group: { _id: '$account', total: { $sum: '$amount' } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(totals).toEqual([
      { _id: 'a', total: 15 },
      { _id: 'b', total: 7 },
    ]);
    const tagCounts = await entries
      .aggregate([{ $unwind: '$tags' }, { $group: { _id: '$tags', n: { $count: {} } } }, { $sort: { _id: 1 } }, { $skip: 1 }, { $limit: 1 }])
      .toArray();
    expect(tagCounts).toEqual([{ _id: 'y', n: 2 }]);
  });

  // FerretDB's SQLite backend indexes _id on an expression its own queries do not use; the stack's launcher
  // adds the one they do (scripts/stack/ferretdb/idindex.go) within about a second of a collection's creation.
  // The server's query plan says whether a lookup by _id searches an index or scans every document. SQLite's
  // EXPLAIN does not notice a schema change by itself, so a real lookup goes first to refresh the connection's.
  test('a lookup by _id in a new collection searches an index instead of scanning the collection', async () => {
    const notes = store.collection<{ _id: string; text: string }>(`notes_${randomUUID().slice(0, 8)}`);
    await notes.insertMany(Array.from({ length: 50 }, (_, index) => ({ _id: `note-${index}`, text: 'x'.repeat(100) })));
    const plan = async () => {
      await notes.findOne({ _id: 'note-3' });
      return JSON.stringify((await store.db().command({ explain: { find: notes.collectionName, filter: { _id: 'note-7' } } })).queryPlanner);
    };
    const deadline = Date.now() + 10_000;
    let latest = await plan();
    while (!/USING INDEX/.test(latest) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      latest = await plan();
    }
    expect(latest).toMatch(/SEARCH \S+ USING INDEX \S+__id_sqlite/);
    expect(await notes.findOne({ _id: 'note-7' })).toEqual({ _id: 'note-7', text: 'x'.repeat(100) });
  });

  test('an invalid query operator is a clear server error, not a silent empty result', async () => {
    const accounts = store.collection('accounts');
    const { error } = await rejection(accounts.find({ balance: { $bogus: 1 } }).toArray());
    expect(error.message).toMatch(/unknown operator: \$bogus/);
  });

  test('server stopped: check() rejects within the timeout; back up: the same store reconnects with the data', async () => {
    const accounts = store.collection<Account>('accounts');
    await accounts.updateOne({ _id: 'survivor' }, { $set: { owner: 'carla', balance: 42 } }, { upsert: true });

    stackDown('mongo');
    try {
      const check = await rejection(store.check());
      expect(check.error.message).toMatch(/^mongo/);
      expect(check.ms).toBeLessThan(TIMEOUT_MS + 1000);

      const read = await rejection(accounts.findOne({ _id: 'survivor' }));
      expect(read.error.message).toMatch(/ECONNREFUSED|Server selection timed out|connect/i);
      expect(read.ms).toBeLessThan(TIMEOUT_MS + 1000);
    } finally {
      stackUp('mongo');
    }

    await expect(store.check()).resolves.toBeUndefined();
    expect(await accounts.findOne({ _id: 'survivor' })).toEqual({ _id: 'survivor', owner: 'carla', balance: 42 });
    expect(await accounts.findOne({ _id: 'acc-1' })).toMatchObject({ owner: 'ana' });
  });

  test('close() is safe twice and the store opens a new client afterwards', async () => {
    const other = createMongoStore(config);
    await other.close();
    await other.check();
    await other.close();
    await other.close();
    await expect(other.check()).resolves.toBeUndefined();
    await other.close();
  });
});
