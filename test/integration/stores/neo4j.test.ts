/**
 * The Neo4j store against the real server of the native stack (FLUXO_TEST_SERVICES=neo4j). Community has a
 * single `neo4j` database, so every node this file writes carries the run's id and is deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config';
import { createNeo4jStore, Neo4jStoreError, type Neo4jStore } from '../../../src/stores/neo4j';
import { stackDown, stackUp } from '../../support/stack';

const TIMEOUT_MS = 2000;
const RETRY_MS = 3000;
const run = randomUUID();
let store: Neo4jStore;

beforeAll(() => {
  store = createNeo4jStore({ ...loadConfig(), NEO4J_TIMEOUT_MS: TIMEOUT_MS, NEO4J_MAX_RETRY_TIME_MS: RETRY_MS });
});

afterAll(async () => {
  // A failed restart test must not leave the server down for the test files after this one.
  stackUp('neo4j');
  await store.write('MATCH (n:FluxoTestNode {run: $run}) DETACH DELETE n', { run });
  await store.close();
  await store.close();
});

const link = (from: string, to: string, weight: number) =>
  store.write(
    `MERGE (a:FluxoTestNode {run: $run, id: $from})
     MERGE (b:FluxoTestNode {run: $run, id: $to})
     MERGE (a)-[r:LINKS_TO]->(b)
     SET r.weight = $weight
     RETURN count(r) AS links`,
    { run, from, to, weight },
  );

describe('neo4j store', () => {
  it('writes nodes and a relationship with MERGE and reads them back as plain values', async () => {
    await link('insight-1', 'insight-2', 3);
    await link('insight-1', 'insight-2', 5); // same MERGE again: no second node or relationship

    const rows = await store.read<{ from: string; to: string; weight: number; node: unknown }>(
      `MATCH (a:FluxoTestNode {run: $run})-[r:LINKS_TO]->(b:FluxoTestNode {run: $run})
       RETURN a.id AS from, b.id AS to, r.weight AS weight, a AS node`,
      { run },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ from: 'insight-1', to: 'insight-2', weight: 5 });
    expect(rows[0]!.node).toMatchObject({ labels: ['FluxoTestNode'], properties: { id: 'insight-1', run } });
    const [count] = await store.read<{ nodes: number }>('MATCH (n:FluxoTestNode {run: $run}) RETURN count(n) AS nodes', {
      run,
    });
    expect(count!.nodes).toBe(2);
  });

  it('turns Neo4j Integers into numbers when safe and into exact strings when not', async () => {
    const [row] = await store.read('RETURN 42 AS small, 9007199254740993 AS big, [1, 2] AS list, date("2024-02-29") AS day');
    expect(row).toEqual({ small: 42, big: '9007199254740993', list: [1, 2], day: '2024-02-29' });
  });

  it('commits the statements of a transaction together, or none of them', async () => {
    await expect(
      store.writeTransaction(async (tx) => {
        await tx.run('CREATE (:FluxoTestNode {run: $run, id: "half-done"})', { run });
        await tx.run('RETURN 1 / 0');
      }),
    ).rejects.toThrow(/by zero/i);
    const rows = await store.read('MATCH (n:FluxoTestNode {run: $run, id: "half-done"}) RETURN n', { run });
    expect(rows).toHaveLength(0);
  });

  it('names the problem in a Cypher syntax error and marks it not retryable', async () => {
    const failure = store.read('MATCH (n:FluxoTestNode) RETRUN n');
    await expect(failure).rejects.toBeInstanceOf(Neo4jStoreError);
    await expect(failure).rejects.toMatchObject({
      code: 'Neo.ClientError.Statement.SyntaxError',
      retryable: false,
      message: expect.stringMatching(/SyntaxError.*Invalid input 'RETRUN'/),
    });
  });

  it('fails fast while the server is down and reconnects, data intact, once it is back', async () => {
    await link('before-restart', 'insight-1', 7);

    stackDown('neo4j');
    let started = Date.now();
    await expect(store.check()).rejects.toThrow(/neo4j.*(unavailable|timed out)/);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);

    // Reads retry transient failures, but only for the configured budget.
    started = Date.now();
    await expect(store.read('RETURN 1')).rejects.toMatchObject({ retryable: true });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + RETRY_MS + 3000);

    stackUp('neo4j');
    await store.check(); // the same store instance, no re-creation
    const rows = await store.read<{ weight: number }>(
      `MATCH (:FluxoTestNode {run: $run, id: "before-restart"})-[r:LINKS_TO]->(:FluxoTestNode {run: $run, id: "insight-1"})
       RETURN r.weight AS weight`,
      { run },
    );
    expect(rows).toEqual([{ weight: 7 }]);
  }, 300_000);
});
