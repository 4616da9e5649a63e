/**
 * The draft step: the run's new version number (current highest + 1), recorded as `draft`. Idempotent by
 * run id: a retried draft returns the version the first attempt created.
 *
 * A draft left by another run means that run ended without compensating (terminated, or its compensation
 * gave up): it is compensated here first, so a dead run cannot block publishing, or leave its half-applied
 * import, forever.
 */
import { ApplicationFailure } from '@temporalio/common';
import { catalogErrors } from '../../domain/catalog/publish';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { compensateRun } from './compensate';
import { lockCatalog, versionOfRun } from './version-rows';

export interface DraftInput {
  catalogId: string;
  workflowId: string;
  runId: string;
  importId: string | null;
}

export interface DraftResult {
  version: number;
  /** The version current when the draft was made (informative; the publish records the one it replaces). */
  currentVersion: number | null;
  /** Runs whose abandoned drafts were compensated first. */
  abandonedRuns: string[];
}

export async function draftCatalogVersion(stores: { postgres: PostgresStore; objectStorage: ObjectStorage }, input: DraftInput): Promise<DraftResult> {
  const { rows: stale } = await stores.postgres
    .pool()
    .query<{ run_id: string }>("SELECT run_id FROM catalog_versions WHERE catalog_id = $1 AND status = 'draft' AND run_id <> $2", [
      input.catalogId,
      input.runId,
    ]);
  for (const { run_id: runId } of stale) {
    await compensateRun(stores, { catalogId: input.catalogId, runId, reason: `abandoned: run ${runId} ended without compensating; cleaned up by run ${input.runId}` });
  }

  return stores.postgres.transaction(async (client) => {
    await lockCatalog(client, input.catalogId);
    const { rows: current } = await client.query<{ version: number }>('SELECT version FROM catalog_current WHERE catalog_id = $1', [input.catalogId]);
    const currentVersion = current[0]?.version ?? null;
    const existing = await versionOfRun(client, input.runId);
    if (existing) {
      if (existing.status !== 'draft') {
        throw ApplicationFailure.nonRetryable(`run ${input.runId} already ended its version ${existing.version} as ${existing.status}`, catalogErrors.concurrentPublish);
      }
      return { version: existing.version, currentVersion, abandonedRuns: stale.map((row) => row.run_id) };
    }
    const { rows: other } = await client.query<{ run_id: string }>(
      "SELECT run_id FROM catalog_versions WHERE catalog_id = $1 AND status = 'draft'",
      [input.catalogId],
    );
    if (other[0]) {
      // Another run drafted between our cleanup and this lock: two runs of one catalog at once.
      throw ApplicationFailure.retryable(`run ${other[0].run_id} is publishing catalog ${input.catalogId}`, catalogErrors.concurrentPublish);
    }
    const { rows } = await client.query<{ version: number }>(
      `INSERT INTO catalog_versions (catalog_id, version, status, workflow_id, run_id, import_id, previous_version)
       SELECT $1, coalesce(max(version), 0) + 1, 'draft', $2, $3, $4, $5 FROM catalog_versions WHERE catalog_id = $1
       RETURNING version`,
      [input.catalogId, input.workflowId, input.runId, input.importId, currentVersion],
    );
    return { version: rows[0]!.version, currentVersion, abandonedRuns: stale.map((row) => row.run_id) };
  });
}
