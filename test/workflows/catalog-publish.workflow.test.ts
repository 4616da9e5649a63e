/**
 * The catalog publish workflow on the dev server with its real activities (PostgreSQL, a local storage
 * folder): a publish end to end, determinism of the snapshot, verify-then-publish, and the compensation —
 * after a tampered snapshot, after a failure injected after each step's effect, and after a cancellation —
 * leaving storage and database as they were before the run.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CatalogActivities } from '../../src/activities/catalog';
import { catalogErrors, catalogProgressQuery, catalogPublishWorkflowId, type CatalogPublishInput, type CatalogStep } from '../../src/domain/catalog/publish';
import { catalogKeys } from '../../src/domain/catalog/storage-layout';
import { catalogPublishWorkflow } from '../../src/workflows/catalog/publish';
import { catalogScheduledPublishWorkflow } from '../../src/workflows/catalog/scheduled';
import { catalogState, catalogTestStores, csvRows, HEADER, putCsv, uniqueCatalogId, type CatalogTestStores } from '../support/catalog';
import { devServerEnv, testWorker, uniqueQueue } from '../support/temporal';

// Real servers on a machine shared with other work: runs can be slow, never stuck.
jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let stores: CatalogTestStores;

beforeAll(async () => {
  env = await devServerEnv();
  stores = catalogTestStores();
});
afterAll(async () => {
  await stores?.close();
  await env?.teardown();
});

/** Runs `work` with a worker whose activities are the real ones, with `overrides` wrapped around them. */
async function withWorker<T>(overrides: Partial<CatalogActivities>, work: (taskQueue: string, worker: Worker) => Promise<T>): Promise<T> {
  const taskQueue = uniqueQueue('catalog');
  // Heartbeats (and so cancellations) get through at once instead of after the SDK's throttle.
  const worker = await testWorker(env, {
    taskQueue,
    activities: { ...stores.activities, ...overrides },
    maxHeartbeatThrottleInterval: '200 milliseconds',
    defaultHeartbeatThrottleInterval: '200 milliseconds',
  });
  return worker.runUntil(() => work(taskQueue, worker));
}

function start(taskQueue: string, input: CatalogPublishInput): Promise<WorkflowHandle<typeof catalogPublishWorkflow>> {
  return env.client.workflow.start(catalogPublishWorkflow, { workflowId: catalogPublishWorkflowId(input.catalogId), taskQueue, args: [input] });
}

const publishInput = (catalogId: string, csv?: { importId: string; sourceKey: string }): CatalogPublishInput => ({
  catalogId,
  requestedBy: 'test',
  requestId: 'test',
  ...(csv ? { import: csv } : {}),
});

/** Publishes a first version of 10 items, so every failure test has a published state to return to. */
async function seededCatalog(taskQueue: string, name: string): Promise<string> {
  const catalogId = uniqueCatalogId(name);
  const csv = await putCsv(stores.objectStorage, catalogId, `${HEADER}\n${csvRows(10)}\n`);
  await (await start(taskQueue, publishInput(catalogId, csv))).result();
  return catalogId;
}

/** A second import that changes 5 existing items and adds 5 new ones. */
const secondCsv = (catalogId: string) => putCsv(stores.objectStorage, catalogId, `${HEADER}\n${csvRows(10, { start: 6, seed: 3 })}\n`);

const failureType = (error: unknown) => {
  let current = error as { cause?: unknown; type?: string } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return current?.type;
};

test('publishes a CSV import: items, versions, snapshot, manifest and latest.json agree', async () => {
  await withWorker({}, async (taskQueue) => {
    const catalogId = uniqueCatalogId('happy');
    const csv = await putCsv(stores.objectStorage, catalogId, `${HEADER}\nB2,Second,2,c,,\nA1,"First, really",1.5,c,no,"{""k"":""v""}"\n`);
    const handle = await start(taskQueue, publishInput(catalogId, csv));
    const result = await handle.result();
    expect(result).toMatchObject({ catalogId, version: 1, previousVersion: null, itemCount: 2, divergence: 0, eventRelayed: false });
    expect(result.import).toMatchObject({ status: 'loaded', rowsValid: 2 });

    const snapshot = await stores.objectStorage.getBuffer(catalogKeys.snapshot(catalogId, 1));
    expect(createHash('sha256').update(snapshot).digest('hex')).toBe(result.sha256);
    expect(gunzipSync(snapshot).toString('utf8')).toBe(
      '{"sku":"A1","name":"First, really","price":"1.50","category":"c","active":false,"attributes":{"k": "v"}}\n' +
        '{"sku":"B2","name":"Second","price":"2.00","category":"c","active":true,"attributes":{}}\n',
    );
    const manifest = JSON.parse((await stores.objectStorage.getBuffer(catalogKeys.manifest(catalogId, 1))).toString());
    expect(manifest).toMatchObject({ catalog_id: catalogId, version: 1, item_count: 2, sha256: result.sha256, format: 'ndjson+gzip' });
    const latest = JSON.parse((await stores.objectStorage.getBuffer(catalogKeys.latest(catalogId))).toString());
    expect(latest).toMatchObject({ version: 1, sha256: result.sha256, snapshot_key: catalogKeys.snapshot(catalogId, 1) });

    const { rows } = await stores.postgres.pool().query('SELECT version, status, item_count, sha256 FROM catalog_versions WHERE catalog_id = $1', [catalogId]);
    expect(rows).toEqual([{ version: 1, status: 'published', item_count: 2, sha256: result.sha256 }]);
    // The Web UI's search attribute and the final step.
    const description = await handle.describe();
    expect(description.searchAttributes.CatalogVersion).toEqual([1]);
    expect(await handle.query(catalogProgressQuery)).toMatchObject({ step: 'done', version: 1 });
  });
});

test('the same catalog gives the same bytes; the next version supersedes the previous one', async () => {
  await withWorker({}, async (taskQueue) => {
    const catalogId = await seededCatalog(taskQueue, 'same');
    const second = await (await start(taskQueue, publishInput(catalogId))).result();
    expect(second).toMatchObject({ version: 2, previousVersion: 1 });
    const first = await stores.postgres.pool().query('SELECT sha256 FROM catalog_versions WHERE catalog_id = $1 AND version = 1', [catalogId]);
    expect(second.sha256).toBe(first.rows[0].sha256);
    const bytes1 = await stores.objectStorage.getBuffer(catalogKeys.snapshot(catalogId, 1));
    const bytes2 = await stores.objectStorage.getBuffer(catalogKeys.snapshot(catalogId, 2));
    expect(bytes2.equals(bytes1)).toBe(true);
    const { rows } = await stores.postgres.pool().query('SELECT version, status FROM catalog_versions WHERE catalog_id = $1 ORDER BY version', [catalogId]);
    expect(rows).toEqual([
      { version: 1, status: 'superseded' },
      { version: 2, status: 'published' },
    ]);
  });
});

test('a rejected import fails the run before any draft and changes nothing', async () => {
  await withWorker({}, async (taskQueue) => {
    const catalogId = await seededCatalog(taskQueue, 'reject');
    const before = await catalogState(stores, catalogId);
    const csv = await putCsv(stores.objectStorage, catalogId, 'sku,name\nA,b\n');
    const error = await (await start(taskQueue, publishInput(catalogId, csv))).result().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(failureType(error)).toBe(catalogErrors.importRejected);
    expect(await catalogState(stores, catalogId)).toEqual(before);
    const { rows } = await stores.postgres.pool().query('SELECT count(*)::int AS n FROM catalog_versions WHERE catalog_id = $1', [catalogId]);
    expect(rows[0].n).toBe(1);
  });
});

test('a snapshot tampered with after upload fails verification; the compensation restores everything', async () => {
  const tamper: Partial<CatalogActivities> = {
    async buildCatalogSnapshot(input) {
      const summary = await stores.activities.buildCatalogSnapshot(input);
      // Someone (or a broken disk) changes the stored bytes after they were written and hashed.
      const bytes = await stores.objectStorage.getBuffer(summary.snapshotKey);
      bytes[bytes.length - 5]! ^= 0xff;
      await stores.objectStorage.put(summary.snapshotKey, bytes);
      return summary;
    },
  };
  const catalogId = await withWorker({}, (taskQueue) => seededCatalog(taskQueue, 'tamper'));
  await withWorker(tamper, async (taskQueue) => {
    const before = await catalogState(stores, catalogId);
    const handle = await start(taskQueue, publishInput(catalogId, await secondCsv(catalogId)));
    const error = await handle.result().catch((failure: unknown) => failure);
    expect(failureType(error)).toBe(catalogErrors.verificationFailed);

    expect(await catalogState(stores, catalogId)).toEqual(before);
    const progress = await handle.query(catalogProgressQuery);
    expect(progress).toMatchObject({ step: 'failed', version: 2, compensation: { result: 'done', deletedObjects: 2 } });
    expect(progress.failure).toMatch(/sha256|decompress|header|check/i);
    const { rows } = await stores.postgres.pool().query('SELECT status, failure_reason FROM catalog_versions WHERE catalog_id = $1 AND version = 2', [catalogId]);
    expect(rows[0].status).toBe('failed');
    expect(rows[0].failure_reason).toMatch(/^failed at verify/);
  });
});

const STEPS: CatalogStep[] = ['import', 'draft', 'apply', 'snapshot', 'verify', 'publish'];
const ACTIVITY_OF: Record<CatalogStep, keyof CatalogActivities> = {
  import: 'importCatalogCsv',
  draft: 'draftCatalogVersion',
  apply: 'applyCatalogImport',
  snapshot: 'buildCatalogSnapshot',
  verify: 'verifyCatalogSnapshot',
  publish: 'publishCatalogVersion',
};

test.each(STEPS)('a failure right after the %s step has done its work leaves storage and database as before', async (step) => {
  const name = ACTIVITY_OF[step];
  const real = stores.activities[name] as (input: unknown) => Promise<unknown>;
  const failAfter = {
    [name]: async (input: unknown) => {
      await real(input);
      throw ApplicationFailure.nonRetryable(`injected failure after ${step}`, 'InjectedFailure');
    },
  } as Partial<CatalogActivities>;
  // Seeded by a worker without the fault: the seed's own publish goes through the same steps.
  const catalogId = await withWorker({}, (taskQueue) => seededCatalog(taskQueue, `fail-${step}`));
  const before = await catalogState(stores, catalogId);
  await withWorker(failAfter, async (taskQueue) => {
    const handle = await start(taskQueue, publishInput(catalogId, await secondCsv(catalogId)));
    const error = await handle.result().catch((failure: unknown) => failure);
    expect(failureType(error)).toBe('InjectedFailure');
    expect(await catalogState(stores, catalogId)).toEqual(before);
    expect((await handle.query(catalogProgressQuery)).compensation).toMatchObject({ result: 'done' });
  });
  const { rows } = await stores.postgres.pool().query('SELECT version, status FROM catalog_versions WHERE catalog_id = $1 ORDER BY version', [catalogId]);
  expect(rows[0]).toEqual({ version: 1, status: 'published' });
  // From the draft on, the run's version is recorded as failed; before it there is none.
  expect(rows.slice(1)).toEqual(step === 'import' ? [] : [{ version: 2, status: 'failed' }]);
  const imports = await stores.postgres.pool().query("SELECT status FROM catalog_imports WHERE catalog_id = $1 ORDER BY created_at", [catalogId]);
  expect(imports.rows.map((row) => row.status)).toEqual(['published', step === 'import' || step === 'draft' ? 'failed' : 'reverted']);
});

test('a run cancelled in the middle of its snapshot compensates before it ends', async () => {
  let entered!: () => void;
  const inSnapshot = new Promise<void>((resolve) => (entered = resolve));
  const slowSnapshot: Partial<CatalogActivities> = {
    async buildCatalogSnapshot(input) {
      const summary = await stores.activities.buildCatalogSnapshot(input);
      entered();
      // Keep working (heartbeating) until the workflow's cancellation reaches the activity.
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(100);
      }
      return summary;
    },
  };
  const catalogId = await withWorker({}, (taskQueue) => seededCatalog(taskQueue, 'cancel'));
  await withWorker(slowSnapshot, async (taskQueue) => {
    const before = await catalogState(stores, catalogId);
    const handle = await start(taskQueue, publishInput(catalogId, await secondCsv(catalogId)));
    await inSnapshot;
    await handle.cancel();
    const error = await handle.result().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(await catalogState(stores, catalogId)).toEqual(before);
    const progress = await handle.query(catalogProgressQuery);
    expect(progress).toMatchObject({ step: 'failed', compensation: { result: 'done', deletedObjects: 2 } });
  });
}, 120_000);

test('the scheduled run publishes, and ends as already-running when a publish is going', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inDraft = new Promise<void>((resolve) => (entered = resolve));
  const blockingDraft: Partial<CatalogActivities> = {
    async draftCatalogVersion(input) {
      entered();
      await gate;
      return stores.activities.draftCatalogVersion(input);
    },
  };
  await withWorker(blockingDraft, async (taskQueue) => {
    const catalogId = uniqueCatalogId('sched');
    const running = await start(taskQueue, publishInput(catalogId));
    await inDraft;
    const skipped = await env.client.workflow.execute(catalogScheduledPublishWorkflow, {
      workflowId: `catalogo-snapshot-test-${catalogId}-1`,
      taskQueue,
      args: [{ catalogId, scheduleId: 'catalogo-snapshot' }],
    });
    expect(skipped).toEqual({ outcome: 'already-running', workflowId: catalogPublishWorkflowId(catalogId) });
    release();
    await running.result();

    const scheduled = await env.client.workflow.execute(catalogScheduledPublishWorkflow, {
      workflowId: `catalogo-snapshot-test-${catalogId}-2`,
      taskQueue,
      args: [{ catalogId, scheduleId: 'catalogo-snapshot' }],
    });
    expect(scheduled).toMatchObject({ outcome: 'published', result: { version: 2, previousVersion: 1 } });
  });
});
